import CPageHash

/// A fingerprint file (``FingerprintFile``) opened as an input: one guest whose pages are known
/// by their ``PageFingerprint`` and zero runs instead of their bytes.
///
/// It is a ``PageSource`` so that every command opens it where it opens images
/// (``ImagePaths/open(_:pageSize:keepGoing:)`` recognizes it by its magic); engines that compare
/// bytes cannot read it (``makeReader()`` throws), the fingerprint engine reads its records.
public struct FingerprintImage: PageSource {
    public let path: String
    public let pageSize: PageSize
    public let pageCount: Int
    public let ignoredBytes: Int
    /// The decoded header.
    public let header: FingerprintFile.Header
    /// The mapped file.
    public let file: MappedFile
    /// The zero runs, as page ranges.
    public let zeroRuns: [Range<Int>]

    /// Opens and checks the fingerprint file at `path`.
    ///
    /// - Throws: ``ImageError`` when the file cannot be read, ``FingerprintError`` when it is
    ///   not a usable fingerprint for `pageSize`.
    public init(path: String, pageSize: PageSize) throws {
        try self.init(file: try MappedFile(path: path), pageSize: pageSize)
    }

    /// Uses an existing mapping.
    ///
    /// - Throws: ``FingerprintError``.
    public init(file: MappedFile, pageSize: PageSize) throws(FingerprintError) {
        let path = file.path
        let header = try FingerprintFile.Header.decode(file.bytes, path: path)
        guard header.pageSize == pageSize.bytes else {
            throw .pageSizeMismatch(path: path, file: header.pageSize, scan: pageSize.bytes)
        }
        // The checksum reads the whole body: slice by slice, each slice dropped from this
        // process's memory after it (the page cache keeps it for the scan).
        // libxxhash's streaming XXH3, with AVX2 where the CPU has it.
        let state = ksmscope_xxh3_stream_create()!
        defer { ksmscope_xxh3_stream_free(state) }
        var offset = header.size
        while offset < file.bytes.count {
            let end = min(file.bytes.count, offset + (32 << 20))
            ksmscope_xxh3_stream_update(state, file.bytes.baseAddress! + offset, end - offset)
            file.unmap(bytes: offset..<end)
            offset = end
        }
        guard ksmscope_xxh3_stream_digest(state) == header.checksum else { throw .corrupt(path: path) }
        var runs: [Range<Int>] = []
        runs.reserveCapacity(header.zeroRuns)
        let runBase = header.size + header.records * FingerprintFile.recordSize
        // The header size and records are multiples of 16 and the mapping starts on a page:
        // the runs are aligned 8-byte words.
        let words = UnsafeBufferPointer(
            start: (file.bytes.baseAddress! + runBase).assumingMemoryBound(to: UInt64.self), count: 2 * header.zeroRuns)
        var zeroPages = 0
        var end = 0
        for index in 0..<header.zeroRuns {
            let first = Int(truncatingIfNeeded: UInt64(littleEndian: words[2 * index]))
            let count = Int(truncatingIfNeeded: UInt64(littleEndian: words[2 * index + 1]))
            guard first >= end, count > 0, count <= header.pages - first else {
                throw .inconsistent(path: path, problem: "zero run #\(index) is out of order or outside the pages")
            }
            end = first + count
            runs.append(first..<end)
            zeroPages += count
        }
        let accounted = header.records + zeroPages + header.unreadablePages
        guard header.sampleEvery > 1 ? accounted <= header.pages : accounted == header.pages else {
            throw .inconsistent(
                path: path,
                problem: "\(header.records) records, \(zeroPages) zero and \(header.unreadablePages) unreadable pages for \(header.pages) pages")
        }
        self.path = path
        self.pageSize = pageSize
        self.pageCount = header.pages
        self.ignoredBytes = header.ignoredBytes
        self.header = header
        self.file = file
        self.zeroRuns = runs
    }

    /// The page records, in page order.
    public var records: UnsafeBufferPointer<PageFingerprint> {
        let base = file.bytes.baseAddress! + header.size
        // The header size is a multiple of 16 and mappings start on a page: records are aligned.
        return UnsafeBufferPointer(start: base.assumingMemoryBound(to: PageFingerprint.self), count: header.records)
    }

    /// Pages that are all zero.
    public var zeroPages: Int { zeroRuns.reduce(0) { $0 + $1.count } }

    public var mappedFile: MappedFile? { file }
    public var zeroPageRuns: [Range<Int>] { zeroRuns }

    /// A fingerprint has no page bytes to read.
    public func makeReader() throws -> any PageReader {
        throw FingerprintError.noPageBytes(path: path, need: "reading page contents")
    }

    /// The fingerprint of every page in order, nil for zero pages.
    ///
    /// - Throws: ``FingerprintError/noPageOrder(path:reason:)`` for a sampled fingerprint or one
    ///   with unreadable pages, whose records cannot be placed.
    public func pageOrder() throws(FingerprintError) -> [PageFingerprint?] {
        var pages = [PageFingerprint?](repeating: nil, count: pageCount)
        try forEachPlacedRecord { page, fingerprint in pages[page] = fingerprint }
        return pages
    }

    /// Calls `body` with every record, in order, and the page it stands for: records fill the
    /// pages outside the zero runs one after another.
    ///
    /// - Throws: ``FingerprintError/noPageOrder(path:reason:)`` for a sampled fingerprint or one
    ///   with unreadable pages, whose records cannot be placed.
    public func forEachPlacedRecord(_ body: (Int, PageFingerprint) -> Void) throws(FingerprintError) {
        guard header.sampleEvery == 1 else { throw .noPageOrder(path: path, reason: "sampled 1/\(header.sampleEvery)") }
        guard header.unreadablePages == 0 else {
            throw .noPageOrder(path: path, reason: "\(header.unreadablePages) unreadable pages")
        }
        var page = 0
        var next = 0
        let records = records
        for run in zeroRuns + [pageCount..<pageCount] {
            while page < run.lowerBound {
                body(page, records[next])
                page += 1
                next += 1
            }
            page = run.upperBound
        }
    }
}
