import Foundation

/// Turns the paths a user names into the ordered list of image files to scan.
///
/// A file names one image; a folder names every regular file directly inside it, sorted by
/// name (hidden files included, sub-folders skipped), except ksmscope's own JSON manifests
/// (`expected.json`, `timeline.json` that `ksmscope generate` writes beside its images), which
/// are recognized by their content. Order matters: it is the order in which ksmd would meet the
/// guests, and so decides which copy of a content is left over.
public enum ImagePaths {
    /// Expands `paths` into image files, in order.
    ///
    /// - Throws: ``ImageError/missing(path:)`` for a path that does not exist,
    ///   ``ImageError/cannotAccess(path:reason:)`` for one that cannot be looked at,
    ///   ``ImageError/emptyFolder(path:)`` for a folder without regular files,
    ///   ``ImageError/manifest(path:kind:)`` for a file that is one of ksmscope's manifests and
    ///   ``ImageError/notARegularFile(path:)`` for anything else that is not a file.
    public static func expand(_ paths: [String]) throws(ImageError) -> [String] {
        var files: [String] = []
        for path in paths {
            switch kind(of: path) {
            case .missing: throw ImageError.missing(path: path)
            case .inaccessible(let reason): throw ImageError.cannotAccess(path: path, reason: reason)
            case .other: throw ImageError.notARegularFile(path: path)
            case .file:
                if let manifest = ManifestKind(file: path) { throw ImageError.manifest(path: path, kind: manifest) }
                files.append(path)
            case .folder:
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: path)
                } catch {
                    throw ImageError.cannotOpen(path: path, reason: "cannot list folder")
                }
                let inside = names.sorted().map { join(path, $0) }.filter { kind(of: $0) == .file && !isManifest($0) }
                guard !inside.isEmpty else { throw ImageError.emptyFolder(path: path) }
                files += inside
            }
        }
        return files
    }

    /// Opens each file as an image, in the format its content shows (``ImageFormat``): an ELF
    /// core, a kdump-compressed dump (plain or flattened), a LiME file, or else raw memory.
    ///
    /// - Parameter keepGoing: leave out ELF segments whose header cannot describe pages instead
    ///   of failing.
    /// - Throws: ``ImageError`` for a file that cannot be read, or a raw image that is empty or
    ///   shorter than a page; ``DumpError`` for a dump whose structure is unusable.
    public static func open(_ files: [String], pageSize: PageSize, keepGoing: Bool = false) throws -> [any PageSource] {
        var images: [any PageSource] = []
        for file in files { images.append(try ImageFormat.open(file, pageSize: pageSize, keepGoing: keepGoing)) }
        return images
    }

    /// Whether a file is one of ksmscope's JSON manifests (``ManifestKind``), not an image.
    public static func isManifest(_ path: String) -> Bool { ManifestKind(file: path) != nil }

    private enum Kind: Equatable { case missing, inaccessible(String), file, folder, other }

    private static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            return code == ENOENT ? .missing : .inaccessible(String(cString: strerror(code)))
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    private static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
