/// One guest's memory as a sequence of equally sized pages in address order.
///
/// A source describes the image; the bytes are read through a ``PageReader`` that each worker
/// thread makes for itself, so formats that must decompress or copy pages can keep their
/// scratch buffers private to one thread.
public protocol PageSource: Sendable {
    /// The path (or other name) the image was given by.
    var path: String { get }
    /// The page size the image is divided into.
    var pageSize: PageSize { get }
    /// The number of whole pages.
    var pageCount: Int { get }
    /// Bytes after the last whole page, which are not counted as a page.
    var ignoredBytes: Int { get }
    /// Makes a reader for use by one thread at a time.
    func makeReader() throws -> any PageReader
    /// The mapped file the pages are read from, if any: scans check it for truncation after
    /// reading and drop what they read from the page cache.
    var mappedFile: MappedFile? { get }
    /// Pages known to hold only zero bytes without reading them (holes of a sparse file),
    /// ascending and disjoint.
    var zeroPageRuns: [Range<Int>] { get }
}

extension PageSource {
    public var mappedFile: MappedFile? { nil }
    public var zeroPageRuns: [Range<Int>] { [] }

    /// Throws if the source's file shrank while it was read.
    ///
    /// - Throws: ``ImageError/truncatedWhileReading(path:)``.
    public func checkIntact() throws(ImageError) { try mappedFile?.checkIntact() }
}

/// Reads pages of one ``PageSource``; used by one thread at a time.
public protocol PageReader: AnyObject {
    /// Returns the bytes of page `index`, valid until the next call on this reader.
    func page(_ index: Int) throws -> UnsafeRawBufferPointer

    /// All of the source's pages, one after another in memory and valid as long as the source
    /// lives, or nil if pages must be read one at a time.
    ///
    /// Sources mapped straight from a file (raw images) offer this so that the scanner's hot
    /// loop can walk pages by pointer arithmetic.
    var contiguousPages: UnsafeRawBufferPointer? { get }
}

extension PageReader {
    public var contiguousPages: UnsafeRawBufferPointer? { nil }
}
