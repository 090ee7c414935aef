/// A raw memory image: the file's bytes are the guest's pages, from address 0 on.
public struct RawImage: PageSource {
    public let path: String
    public let pageSize: PageSize
    public let pageCount: Int
    public let ignoredBytes: Int
    /// The mapped file.
    public let file: MappedFile

    /// Maps the raw image at `path` read-only.
    ///
    /// - Throws: ``ImageError`` when the file cannot be mapped, is empty, or is shorter than
    ///   one page.
    public init(path: String, pageSize: PageSize) throws(ImageError) {
        let file = try MappedFile(path: path)
        guard file.bytes.count > 0 else { throw ImageError.emptyFile(path: path) }
        guard file.bytes.count >= pageSize.bytes else {
            throw ImageError.noWholePage(path: path, bytes: file.bytes.count, pageSize: pageSize.bytes)
        }
        self.init(file: file, pageSize: pageSize)
    }

    /// Uses an existing mapping as a raw image.
    public init(file: MappedFile, pageSize: PageSize) {
        self.path = file.path
        self.file = file
        self.pageSize = pageSize
        self.pageCount = file.bytes.count / pageSize.bytes
        self.ignoredBytes = file.bytes.count % pageSize.bytes
    }

    public func makeReader() -> any PageReader { Reader(file: file, pageSize: pageSize.bytes) }

    /// Hands out pointers straight into the mapping: no copy, no scratch.
    final class Reader: PageReader {
        let file: MappedFile
        let pageSize: Int

        init(file: MappedFile, pageSize: Int) {
            self.file = file
            self.pageSize = pageSize
        }

        func page(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: file.bytes[index * pageSize..<(index + 1) * pageSize])
        }

        var contiguousPages: UnsafeRawBufferPointer? {
            UnsafeRawBufferPointer(rebasing: file.bytes[0..<file.bytes.count / pageSize * pageSize])
        }
    }
}
