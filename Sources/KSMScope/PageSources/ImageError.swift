/// A problem with an input image or with the paths naming images.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist.
    case missing(path: String)
    /// The path cannot be looked at: a symbolic link loop, a folder without search permission.
    case cannotAccess(path: String, reason: String)
    /// The file is one of ksmscope's JSON manifests, not an image.
    case manifest(path: String, kind: ManifestKind)
    /// The file could not be opened, inspected or mapped.
    case cannotOpen(path: String, reason: String)
    /// The path names something other than a regular file or a folder.
    case notARegularFile(path: String)
    /// A folder holds no regular files.
    case emptyFolder(path: String)
    /// The file holds no bytes at all.
    case emptyFile(path: String)
    /// The file is shorter than one page, so it holds no page.
    case noWholePage(path: String, bytes: Int, pageSize: Int)
    /// The images hold more pages than one scan can index.
    case tooManyPages(total: Int, limit: Int)
    /// The file shrank (another process truncated it) while it was being read.
    case truncatedWhileReading(path: String)
    /// A page index past the end of the image was asked for.
    case pageOutOfRange(path: String, page: Int, pageCount: Int)

    public var description: String {
        switch self {
        case .missing(let path): "\(path): no such file or folder"
        case .cannotAccess(let path, let reason): "\(path): cannot access: \(reason)"
        case .manifest(let path, .expected):
            "\(path): this is ksmscope's expected-counts manifest, not a memory image: name its folder "
                + "(manifests there are skipped) or the image files"
        case .manifest(let path, .timeline):
            "\(path): this is ksmscope's timeline manifest, not a memory image: pass it to 'ksmscope simulate' "
                + "or 'ksmscope verify-kernel', or name the image files"
        case .cannotOpen(let path, let reason): "\(path): cannot read: \(reason)"
        case .notARegularFile(let path): "\(path): not a regular file or folder"
        case .emptyFolder(let path): "\(path): folder holds no regular files"
        case .emptyFile(let path): "\(path): file is empty"
        case .noWholePage(let path, let bytes, let pageSize):
            "\(path): \(bytes) bytes is less than one \(pageSize)-byte page"
        case .tooManyPages(let total, let limit):
            "\(total) pages in all is more than one scan can index (\(limit))"
        case .truncatedWhileReading(let path):
            "\(path): the file was truncated while it was being read (another process changed it); scan files that are not being written"
        case .pageOutOfRange(let path, let page, let pageCount):
            "\(path): page \(page) is out of range (the image has \(pageCount) pages)"
        }
    }
}
