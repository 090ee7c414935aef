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

    public var mappedFile: MappedFile? { file }

    /// The pages that lie wholly inside holes of the file.
    public var zeroPageRuns: [Range<Int>] {
        let size = pageSize.bytes
        return file.holes.compactMap { hole in
            let first = (hole.lowerBound + size - 1) / size
            let end = min(pageCount, hole.upperBound / size)
            return first < end ? first..<end : nil
        }
    }

    /// Hands out pointers straight into the mapping: no copy, no scratch.
    final class Reader: PageReader {
        let file: MappedFile
        let pageSize: Int

        init(file: MappedFile, pageSize: Int) {
            self.file = file
            self.pageSize = pageSize
        }

        /// - Throws: ``ImageError/pageOutOfRange(path:page:pageCount:)`` for an index outside
        ///   the image, in every build (the slice's own check is for debug builds only).
        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            let count = file.bytes.count / pageSize
            guard index >= 0, index < count else {
                throw ImageError.pageOutOfRange(path: file.path, page: index, pageCount: count)
            }
            return UnsafeRawBufferPointer(start: file.bytes.baseAddress! + index * pageSize, count: pageSize)
        }

        var contiguousPages: UnsafeRawBufferPointer? {
            UnsafeRawBufferPointer(rebasing: file.bytes[0..<file.bytes.count / pageSize * pageSize])
        }
    }
}
