/// Where each guest page of a dump sits in the file: runs of guest-physical page frames
/// stored back to back, in ascending frame order, each guest frame once.
///
/// ELF cores and LiME files both describe memory as ranges of guest-physical addresses copied
/// to some file offset; this table turns their ranges into the image's page numbering. It
/// sorts the ranges, keeps the first copy of a frame that several ranges hold (QEMU's
/// `paging=true` dumps list one physical page under every virtual mapping of it), and splits
/// off the pages whose bytes lie past the end of the file, which stay in the numbering but
/// cannot be read. Page `n` of the image is found by binary search.
struct PhysicalExtentTable: Sendable {
    /// A run of guest-physical pages stored back to back in the file.
    struct Extent: Sendable, Equatable {
        /// The guest page frame number (physical address / page size) of the first page.
        var firstFrame: UInt64
        /// How many pages.
        var pageCount: Int
        /// The file offset of the first page's bytes; need not be page-aligned.
        var fileOffset: Int
        /// Which range of the dump it came from (the PT_LOAD or LiME range number).
        var origin: Int
        /// The file offset of that range's header, for error messages.
        var headerOffset: Int
        /// The image page number of the first page; set by the table.
        var firstPage = 0
        /// False when the pages' bytes lie past the end of the file.
        var readable = true
        /// Why the format rejects these pages although they can be located (a damaged range
        /// header); they then fail to read, each with this reason.
        var rejection: String?
    }

    /// The extents in ascending frame (and page) order.
    let extents: [Extent]
    /// The number of pages of the image, readable or not.
    let pageCount: Int
    /// How many of them lie past the end of the file.
    let unreadablePages: Int

    /// The most pages past the end of the file an image may claim, beyond as many as it holds.
    ///
    /// Each claimed page costs the scanner 16 bytes of records, so a small crafted file must not
    /// claim billions of them. A truncated dump keeps its missing pages (they are reported as
    /// unreadable with `--keep-going`) as long as they are no more than the pages present or
    /// this many (4 GiB of 4 KiB pages), whichever is more.
    static let missingPageAllowance = 1 << 20

    /// Builds the table from the ranges of a dump.
    ///
    /// - Parameters:
    ///   - ranges: whole-page runs as the dump describes them, in any order; `firstPage` and
    ///     `readable` are ignored, a `rejection` keeps the pages unreadable. Each must satisfy
    ///     `fileOffset + pageCount * pageSize` without overflow.
    ///   - fileSize: the dump's size in bytes.
    ///   - pageSize: the page size in bytes.
    ///   - rangeName: what the format calls a range, for messages ("PT_LOAD", "LiME range").
    ///   - path: the dump, for messages.
    /// - Throws: a ``DumpError`` when the ranges hold more distinct readable pages than the file
    ///   has room for (ranges at different addresses sharing file bytes), or claim far more
    ///   pages past the end of the file than it holds (see ``missingPageAllowance``).
    init(ranges: [Extent], fileSize: Int, pageSize: Int, rangeName: String, path: String) throws(DumpError) {
        let sorted = ranges.filter { $0.pageCount > 0 }.sorted {
            ($0.firstFrame, $0.origin) < ($1.firstFrame, $1.origin)
        }
        var extents: [Extent] = []
        extents.reserveCapacity(sorted.count)
        var coveredEnd: UInt64 = 0  // first frame after everything kept so far
        var page = 0
        var readablePages = 0
        var unreadablePages = 0
        for range in sorted {
            let end = range.firstFrame &+ UInt64(range.pageCount)  // cannot wrap: frames < 2^55, counts < 2^55
            guard end > coveredEnd else { continue }
            // Keep only the frames no earlier range holds: aliases are counted once.
            let skip = range.firstFrame < coveredEnd ? Int(coveredEnd - range.firstFrame) : 0
            var kept = range
            kept.firstFrame += UInt64(skip)
            kept.pageCount -= skip
            kept.fileOffset += skip * pageSize
            coveredEnd = end
            if kept.rejection != nil {
                kept.firstPage = page
                extents.append(kept)
                page += kept.pageCount
                unreadablePages += kept.pageCount
                continue
            }
            // Split at the end of the file: the pages whose bytes are all there, then the rest.
            let available = kept.fileOffset >= fileSize ? 0 : (fileSize - kept.fileOffset) / pageSize
            let inFile = min(kept.pageCount, available)
            if inFile > 0 {
                var part = kept
                part.pageCount = inFile
                part.firstPage = page
                extents.append(part)
                page += inFile
                readablePages += inFile
                guard readablePages <= fileSize / pageSize else {
                    throw DumpError(
                        path: path, offset: range.headerOffset,
                        problem:
                            "\(rangeName) #\(range.origin) maps guest pages onto file bytes that another range at a "
                            + "different guest-physical address already uses (\(readablePages) pages in a file of "
                            + "\(fileSize) bytes)")
                }
            }
            if inFile < kept.pageCount {
                var part = kept
                part.firstFrame += UInt64(inFile)
                part.pageCount -= inFile
                part.fileOffset += inFile * pageSize
                part.firstPage = page
                part.readable = false
                extents.append(part)
                page += part.pageCount
                unreadablePages += part.pageCount
            }
        }
        guard unreadablePages <= max(readablePages, Self.missingPageAllowance) else {
            let first = extents.first { !$0.readable || $0.rejection != nil }
            throw DumpError(
                path: path, offset: first?.headerOffset ?? 0,
                problem:
                    "\(unreadablePages) guest pages of its \(rangeName)s cannot be read (they lie past the end of the "
                    + "file, \(fileSize) bytes, or their headers are damaged) and only \(readablePages) can: "
                    + "too much is missing to scan it")
        }
        self.extents = extents
        self.pageCount = page
        self.unreadablePages = unreadablePages
    }

    /// The extent holding image page `page` (which must be below ``pageCount``).
    func extent(containing page: Int) -> Extent {
        var low = 0
        var high = extents.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if extents[middle].firstPage <= page { low = middle } else { high = middle - 1 }
        }
        return extents[low]
    }

    /// The file offset of image page `page` of `extent` (the extent holding it), or a skippable
    /// ``DumpError`` when its bytes lie past the end of the file.
    func fileOffset(
        ofPage page: Int, in extent: Extent, pageSize: Int, fileSize: Int, rangeName: String, path: String
    ) throws(DumpError) -> Int {
        let offset = extent.fileOffset + (page - extent.firstPage) * pageSize
        if let rejection = extent.rejection {
            throw DumpError(path: path, offset: extent.headerOffset, problem: rejection, skippable: true)
        }
        guard extent.readable else {
            let frame = extent.firstFrame + UInt64(page - extent.firstPage)
            let address = String(frame &* UInt64(pageSize), radix: 16)
            throw DumpError(
                path: path, offset: offset,
                problem: "guest page at physical 0x\(address) (\(rangeName) #\(extent.origin), header at offset "
                    + "\(extent.headerOffset)) lies past the end of the file (\(fileSize) bytes)",
                skippable: true)
        }
        return offset
    }

    /// Reads the pages of a dump laid out by a table: pointers straight into the mapping, no
    /// copy, no scratch.
    final class Reader: PageReader {
        let file: MappedFile
        let extents: PhysicalExtentTable
        let pageSize: Int
        let rangeName: String
        /// The extent of the last page read: scans go in page order, so it usually holds the next.
        private var current: Extent

        init(file: MappedFile, extents: PhysicalExtentTable, pageSize: Int, rangeName: String) {
            self.file = file
            self.extents = extents
            self.pageSize = pageSize
            self.rangeName = rangeName
            current = extents.extents[0]
        }

        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            if index < current.firstPage || index >= current.firstPage + current.pageCount {
                current = extents.extent(containing: index)
            }
            let offset = try extents.fileOffset(
                ofPage: index, in: current, pageSize: pageSize, fileSize: file.bytes.count, rangeName: rangeName,
                path: file.path)
            return UnsafeRawBufferPointer(start: file.bytes.baseAddress! + offset, count: pageSize)
        }
    }
}
