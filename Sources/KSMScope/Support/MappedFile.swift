#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// A read-only, private memory mapping of a whole file.
///
/// The mapping is never written and lives as long as the object, so sharing the object across
/// threads is safe; `@unchecked` is needed only because raw pointers are not `Sendable`.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The file's bytes; empty for an empty file.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path` read-only.
    ///
    /// - Throws: ``ImageError`` naming the path when the file cannot be opened, is not a
    ///   regular file, or cannot be mapped.
    public init(path: String) throws(ImageError) {
        self.path = path
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch {
            throw ImageError.cannotOpen(path: path, reason: Self.describe(error))
        }
        defer { try? descriptor.close() }
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else {
            throw ImageError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ImageError.notARegularFile(path: path)
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor.rawValue, 0),
            base != MAP_FAILED
        else {
            throw ImageError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        // Workers walk their share of the file front to back: ask for aggressive read-ahead.
        _ = madvise(base, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let errno = error as? Errno { return String(cString: strerror(errno.rawValue)) }
        return "\(error)"
    }
}
