/// A kdump-compressed dump (makedumpfile's diskdump format, signature `KDUMP   `), plain or
/// as a flattened stream.
///
/// Layout, in blocks of `block_size` bytes (the guest's page size):
/// block 0 `disk_dump_header`; from block 1 the `kdump_sub_header` (`sub_hdr_size` blocks);
/// then `bitmap_blocks` blocks of bitmaps, the 1st half marking the page frames that exist
/// and the 2nd half those that were dumped; then one 24-byte `page_desc`
/// `{u64 offset; u32 size; u32 flags; u64 page_flags}` per set bit of the 2nd bitmap, in
/// frame order; then the page data. Header versions 1 to 6 with the 64-bit layout (x86_64,
/// arm64, ppc64, s390x), in either byte order.
///
/// The image's pages are the dumped frames in ascending order, so page `n` is described by
/// descriptor `n`. Frames left out of the 2nd bitmap (makedumpfile's `-d` exclusions) are not
/// pages of the image. A page is stored as is (no compression flag, `size` equal to the block
/// size) or compressed with zlib, lzo, snappy or zstd and restored into the reader's buffer.
/// When every all-zero page's descriptor points at one shared zero block at the start of the
/// page data (as QEMU and makedumpfile write it), those pages are handed out as a zero page
/// without touching the data.
///
/// A corrupt page (bad descriptor, data past the end of the file, data that does not
/// decompress to one block) fails to read with a skippable ``DumpError``.
public struct KdumpImage: PageSource {
    public let path: String
    public let pageSize: PageSize
    public let pageCount: Int
    /// Always 0: the format stores whole pages only.
    public let ignoredBytes = 0
    /// The mapped file.
    public let file: MappedFile
    /// The stream index when the file is a flattened stream; nil for a plain dump.
    let stream: FlattenedKdumpStream?
    /// `disk_dump_header.header_version`.
    public let headerVersion: Int
    /// The byte order of the header and descriptors.
    let byteOrder: ByteCursor.ByteOrder
    /// The (logical) offset of the first page descriptor.
    let descriptorStart: Int
    /// The (logical) offset after the last page descriptor, where page data begins.
    let dataStart: Int
    /// The (logical) offset of a block of zeros at the start of the page data, if there is one.
    let zeroBlock: Int?

    /// The size of `page_desc`.
    static let descriptorSize = 24
    /// How many bytes of `disk_dump_header` (64-bit layout) are read.
    static let headerSize = 464
    /// How many bytes of `kdump_sub_header` (64-bit layout) are read.
    static let subHeaderSize = 104

    /// Maps the dump at `path` read-only and reads its headers and bitmaps.
    ///
    /// - Throws: ``ImageError`` when the file cannot be mapped, ``DumpError`` when it is not a
    ///   usable kdump-compressed dump for this page size.
    public init(path: String, pageSize: PageSize) throws {
        try self.init(file: try MappedFile(path: path), pageSize: pageSize)
    }

    /// Reads the headers and bitmaps of a dump already mapped, plain or flattened.
    ///
    /// - Throws: a ``DumpError`` naming the offset of the first structural problem: wrong
    ///   signature, unknown header version, a block size other than the scan's page size,
    ///   bitmaps or descriptors out of the file, a frame dumped but not present, a stream that
    ///   is not a valid flattened stream.
    public init(file: MappedFile, pageSize: PageSize) throws(DumpError) {
        let flattened = ImageFormat.detect(file.bytes) == .flattenedKdump
        let stream = flattened ? try FlattenedKdumpStream(bytes: file.bytes, path: file.path) : nil
        let storage = Storage(file: file, stream: stream)
        let path = file.path

        // disk_dump_header
        var fields = try HeaderFields(storage.copy(0..<Self.headerSize, what: "disk_dump_header"), storage: storage)
        let block = fields.blockSize
        guard block == pageSize.bytes else {
            throw storage.error(
                at: 428,
                "block size \(block) differs from the scan's page size \(pageSize.bytes); "
                    + "scan this dump with --page-size \(block)"
            )
        }

        // kdump_sub_header (version 1 and later)
        try fields.readSubHeader(
            storage.copy(block..<(block + Self.subHeaderSize), what: "kdump_sub_header"), storage: storage)

        // Bitmaps, then descriptors.
        guard let bitmapStart = Checked.multiply(1 + fields.subHeaderBlocks, block),
            let bitmapBytes = Checked.multiply(fields.bitmapBlocks, block),
            let descriptorStart = Checked.add(bitmapStart, bitmapBytes)
        else {
            throw storage.error(
                at: 432, "sub_hdr_size \(fields.subHeaderBlocks) and bitmap_blocks \(fields.bitmapBlocks) overflow")
        }
        let half = bitmapBytes / 2
        if let bits = Checked.multiply(half, 8), UInt64(bits) < fields.maxMapnr {
            throw storage.error(
                at: 436,
                "bitmaps of \(bits) bits each cannot cover max_mapnr \(fields.maxMapnr) page frames "
                    + "(bitmap_blocks \(fields.bitmapBlocks))"
            )
        }
        if stream == nil, descriptorStart > file.bytes.count {
            throw storage.error(
                at: 436,
                "bitmaps (\(bitmapBytes) bytes from offset \(bitmapStart)) run past the end of the file "
                    + "(\(file.bytes.count) bytes)"
            )
        }
        let frames = min(fields.frameRange.upperBound, fields.maxMapnr, UInt64(half) * 8)
        let dumped = try Self.countDumpedFrames(
            storage: storage, first: bitmapStart, second: bitmapStart + half,
            frames: min(fields.frameRange.lowerBound, frames)..<frames)
        guard dumped > 0 else {
            throw storage.error(
                at: bitmapStart + half, "the 2nd bitmap marks no page frame as dumped: the dump holds no page")
        }
        guard let tableLength = Checked.multiply(dumped, Self.descriptorSize),
            let descriptorEnd = Checked.add(descriptorStart, tableLength)
        else {
            throw storage.error(
                at: descriptorStart, "\(dumped) page descriptors from offset \(descriptorStart) overflow")
        }
        // A dump cut short (a full disk, a stream interrupted) loses descriptors: their pages
        // then fail to read one by one. Each page costs the scanner memory, so a bitmap may not
        // claim far more dumped frames than the dump holds descriptors for.
        let present = storage.writtenBytes(in: descriptorStart..<descriptorEnd) / Self.descriptorSize
        guard dumped - present <= max(present, PhysicalExtentTable.missingPageAllowance) else {
            throw storage.error(
                at: descriptorStart,
                "the 2nd bitmap marks \(dumped) page frames as dumped, but only \(present) of their page descriptors "
                    + "(24 bytes each from offset \(descriptorStart)) are in the dump: the bitmap disagrees with the "
                    + "descriptors, or too much of the file is missing")
        }

        // Writers put page data right after the descriptors. If the first descriptor points
        // into the descriptor table, the bitmap counts more dumped frames than there are
        // descriptors (an all-zero descriptor is a page an incomplete dump never wrote).
        if storage.isWritten(descriptorStart..<(descriptorStart + 8)) {
            let descriptor = try storage.copy(descriptorStart..<(descriptorStart + 8), what: "page descriptor #0")
            let firstData = try descriptor.u64(0, fields.byteOrder, "page_desc.offset", path: path)
            if firstData != 0, firstData < UInt64(descriptorEnd) {
                throw storage.error(
                    at: descriptorStart,
                    "the 2nd bitmap marks \(dumped) page frames as dumped, so page data starts at offset "
                        + "\(descriptorEnd), but page descriptor #0 points at offset \(firstData): the bitmap "
                        + "disagrees with the descriptors"
                )
            }
        }

        // QEMU and makedumpfile store one zero block first and point every zero page at it.
        var zeroBlock: Int?
        if let zeroEnd = Checked.add(descriptorEnd, block), storage.isWritten(descriptorEnd..<zeroEnd),
            let zeros = try? storage.copy(descriptorEnd..<zeroEnd, what: "zero block"), zeros.isAllZero
        {
            zeroBlock = descriptorEnd
        }

        self.path = path
        self.pageSize = pageSize
        self.pageCount = dumped
        self.file = file
        self.stream = stream
        self.headerVersion = fields.version
        self.byteOrder = fields.byteOrder
        self.descriptorStart = descriptorStart
        self.dataStart = descriptorEnd
        self.zeroBlock = zeroBlock
    }

    /// Whether the dump is a flattened stream.
    public var isFlattened: Bool { stream != nil }

    public var mappedFile: MappedFile? { file }

    public func makeReader() -> any PageReader { Reader(image: self) }
}
