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

    public func makeReader() -> any PageReader { Reader(image: self) }

    /// The header fields the reader needs, checked.
    struct HeaderFields {
        var version: Int
        var byteOrder: ByteCursor.ByteOrder
        var blockSize: Int
        var subHeaderBlocks: Int
        var bitmapBlocks: Int
        /// The number of page frames the bitmaps describe.
        var maxMapnr: UInt64
        /// The frames this file holds (a split dump holds a part).
        var frameRange: Range<UInt64>

        /// Reads `disk_dump_header` (64-bit layout).
        init(_ copy: Storage.Bytes, storage: Storage) throws(DumpError) {
            let header = copy.cursor(storage.file.path)
            if header.matches(ImageFormat.diskdumpSignature, at: 0) {
                throw storage.error(
                    at: 0, "old diskdump format (signature DISKDUMP) is not supported; only makedumpfile's KDUMP")
            }
            guard header.matches(ImageFormat.kdumpSignature, at: 0) else {
                throw storage.error(at: 0, "not a kdump-compressed dump: no \"KDUMP   \" signature")
            }
            // The header is in the dumped machine's byte order: take the one giving a known version.
            var cursor = header
            var version = Int(Int32(bitPattern: try cursor.u32(8, "header_version")))
            if !(1...6).contains(version) {
                let swapped = Int(Int32(bitPattern: try header.reading(.bigEndian).u32(8, "header_version")))
                guard (1...6).contains(swapped) else {
                    throw storage.error(at: 8, "unsupported kdump header_version \(version) (expected 1 to 6)")
                }
                cursor = header.reading(.bigEndian)
                version = swapped
            }
            self.version = version
            byteOrder = cursor.byteOrder
            blockSize = Int(Int32(bitPattern: try cursor.u32(428, "block_size")))
            guard blockSize >= 512, blockSize <= 1 << 20, blockSize.nonzeroBitCount == 1 else {
                throw storage.error(
                    at: 428,
                    "block_size \(blockSize) is not a page size (a power of two from 512 to 1 MiB); "
                        + "32-bit kdump headers are not supported"
                )
            }
            subHeaderBlocks = Int(Int32(bitPattern: try cursor.u32(432, "sub_hdr_size")))
            guard subHeaderBlocks >= 1 else {
                throw storage.error(at: 432, "sub_hdr_size \(subHeaderBlocks) leaves no room for the sub-header")
            }
            bitmapBlocks = Int(try cursor.u32(436, "bitmap_blocks"))
            guard bitmapBlocks >= 2 else {
                throw storage.error(at: 436, "bitmap_blocks \(bitmapBlocks) leaves no room for two bitmaps")
            }
            maxMapnr = UInt64(try cursor.u32(440, "max_mapnr"))
            frameRange = 0..<UInt64.max
        }

        /// Reads `kdump_sub_header` (64-bit layout): the full `max_mapnr` (version 6) and the
        /// frame range of a split dump (version 2).
        mutating func readSubHeader(_ copy: Storage.Bytes, storage: Storage) throws(DumpError) {
            let cursor = copy.cursor(storage.file.path).reading(byteOrder)
            let split = version >= 2 ? try cursor.u32(12, "split") : 0
            if version >= 6 {
                maxMapnr = try cursor.u64(96, "max_mapnr_64")
            }
            if split != 0 {
                let start = try cursor.u64(version >= 6 ? 80 : 16, "start_pfn")
                let end = try cursor.u64(version >= 6 ? 88 : 24, "end_pfn")
                guard start < end else {
                    throw storage.error(at: cursor.base + 16, "split dump with empty frame range \(start)..<\(end)")
                }
                frameRange = start..<end
            }
        }
    }

    /// Counts the set bits of the 2nd bitmap for `frames`, checking each is also set in the 1st.
    ///
    /// Only bytes the dump holds are read (for a stream, unwritten stretches are zeros and are
    /// skipped), so the work is bounded by the file's size whatever the header claims.
    static func countDumpedFrames(storage: Storage, first: Int, second: Int, frames: Range<UInt64>) throws(DumpError)
        -> Int
    {
        guard !frames.isEmpty else { return 0 }
        let firstByte = Int(frames.lowerBound / 8)
        let endByte = Int((frames.upperBound + 7) / 8)
        var count = 0
        let present = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { present.deallocate() }
        for (logical, bytes) in storage.writtenPieces(of: (second + firstByte)..<(second + endByte)) {
            // The 1st bitmap's bytes for the same frames, a chunk at a time.
            var done = 0
            while done < bytes.count {
                let length = min(present.count, bytes.count - done)
                let chunkStart = logical + done
                guard storage.copy(chunkStart - (second - first), count: length, into: present.baseAddress!) else {
                    throw storage.error(
                        at: chunkStart - (second - first), "the 1st bitmap runs past the end of the file")
                }
                for index in 0..<length {
                    let byteIndex = chunkStart + index - second  // byte of the bitmap: frames 8*byteIndex...
                    var bits = bytes[done + index]
                    if byteIndex == firstByte { bits &= UInt8(truncatingIfNeeded: 0xFF << (frames.lowerBound % 8)) }
                    if byteIndex == endByte - 1, frames.upperBound % 8 != 0 {
                        bits &= UInt8(truncatingIfNeeded: (1 << (frames.upperBound % 8)) - 1)
                    }
                    guard bits & ~present[index] == 0 else {
                        let frame = UInt64(byteIndex) * 8 + UInt64((bits & ~present[index]).trailingZeroBitCount)
                        throw storage.error(
                            at: chunkStart + index,
                            "page frame \(frame) is marked dumped in the 2nd bitmap but absent in the 1st")
                    }
                    count += bits.nonzeroBitCount
                }
                done += length
            }
        }
        return count
    }

    /// The dump's bytes by offset in the (reassembled) dump, for a plain file or a stream.
    ///
    /// The byte copies here are in functions that cannot throw, and nothing takes a throwing
    /// closure: Swift 6.3 at -O can return from a throwing function whose last act is a tail
    /// call to `memmove` without clearing the error register, and the caller then sees a
    /// "phantom" error of garbage (swiftlang/swift#90477; the fuzzers' inputs in
    /// FuzzRegressions/kdump/ crashed the release build that way).
    struct Storage {
        let file: MappedFile
        let stream: FlattenedKdumpStream?

        /// The file offset holding dump offset `offset`, for messages (the offset itself for a
        /// plain dump or a byte no record of a stream writes).
        func fileOffset(of offset: Int) -> Int {
            guard let stream else { return offset }
            return stream.fileOffset(ofLogical: offset) ?? offset
        }

        /// An error at dump offset `offset`; for a stream it also names the offset in the
        /// reassembled dump.
        func error(at offset: Int, _ problem: String, skippable: Bool = false) -> DumpError {
            guard stream != nil else {
                return DumpError(path: file.path, offset: offset, problem: problem, skippable: skippable)
            }
            return DumpError(
                path: file.path, offset: fileOffset(of: offset),
                problem: problem + " (at offset \(offset) of the reassembled dump)", skippable: skippable)
        }

        /// Whether every byte of `range` is in the dump (a plain file's bytes, or written by
        /// records of a stream).
        func isWritten(_ range: Range<Int>) -> Bool {
            guard let stream else { return range.lowerBound >= 0 && range.upperBound <= file.bytes.count }
            return stream.isWritten(range)
        }

        /// How many bytes of `range` are in the dump.
        func writtenBytes(in range: Range<Int>) -> Int {
            guard let stream else { return max(0, min(range.upperBound, file.bytes.count) - range.lowerBound) }
            return stream.writtenBytes(in: range)
        }

        /// Copies `count` bytes from dump offset `offset`; unwritten stretches of a stream are
        /// zeros, as after `makedumpfile -R`. False when a plain file ends before the bytes do.
        func copy(_ offset: Int, count: Int, into destination: UnsafeMutableRawPointer) -> Bool {
            guard let stream else {
                guard offset >= 0, count <= file.bytes.count, offset <= file.bytes.count - count else { return false }
                destination.copyMemory(from: file.bytes.baseAddress! + offset, byteCount: count)
                return true
            }
            for piece in stream.pieces(of: offset..<(offset + count)) {
                let target = destination + (piece.logical.lowerBound - offset)
                if let fileOffset = piece.fileOffset {
                    target.copyMemory(from: file.bytes.baseAddress! + fileOffset, byteCount: piece.logical.count)
                } else {
                    target.initializeMemory(as: UInt8.self, repeating: 0, count: piece.logical.count)
                }
            }
            return true
        }

        /// A copy of the bytes of `range`, for reading header fields.
        ///
        /// - Throws: a ``DumpError`` naming `what` when a plain file ends before the bytes do.
        func copy(_ range: Range<Int>, what: String) throws(DumpError) -> Bytes {
            let bytes = Bytes(count: range.count, offset: range.lowerBound)
            guard copy(range.lowerBound, count: range.count, into: bytes.buffer.baseAddress!) else {
                throw error(
                    at: range.lowerBound,
                    "truncated \(what): needs \(range.count) bytes from offset \(range.lowerBound), "
                        + "the file has \(file.bytes.count)")
            }
            return bytes
        }

        /// The stretches of `range` the dump holds, as (dump offset, bytes in place).
        func writtenPieces(of range: Range<Int>) -> [(Int, UnsafeRawBufferPointer)] {
            guard let stream else {
                let end = min(range.upperBound, file.bytes.count)
                guard range.lowerBound < end else { return [] }
                return [(range.lowerBound, UnsafeRawBufferPointer(rebasing: file.bytes[range.lowerBound..<end]))]
            }
            return stream.pieces(of: range).compactMap { piece in
                piece.fileOffset.map {
                    (
                        piece.logical.lowerBound,
                        UnsafeRawBufferPointer(start: file.bytes.baseAddress! + $0, count: piece.logical.count)
                    )
                }
            }
        }

        /// The bytes of `range` in place when they lie contiguously in the file, else copied
        /// into `scratch` (which must hold them); nil when some are not in the dump.
        func bytes(_ range: Range<Int>, scratch: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer? {
            guard let stream else {
                guard range.lowerBound >= 0, range.upperBound <= file.bytes.count else { return nil }
                return UnsafeRawBufferPointer(start: file.bytes.baseAddress! + range.lowerBound, count: range.count)
            }
            if let index = stream.segment(containing: range.lowerBound),
                stream.segments[index].logicalEnd >= range.upperBound
            {
                let segment = stream.segments[index]
                return UnsafeRawBufferPointer(
                    start: file.bytes.baseAddress! + segment.fileOffset + (range.lowerBound - segment.logicalStart),
                    count: range.count)
            }
            // Records split the bytes (QEMU flushes its buffers every few pages): gather them.
            guard range.count <= scratch.count, stream.isWritten(range),
                copy(range.lowerBound, count: range.count, into: scratch.baseAddress!)
            else { return nil }
            return UnsafeRawBufferPointer(rebasing: scratch[0..<range.count])
        }

        /// A copy of some of the dump's bytes, owned and freed with the value.
        final class Bytes {
            /// The copied bytes.
            let buffer: UnsafeMutableRawBufferPointer
            /// The dump offset they were copied from.
            let offset: Int

            init(count: Int, offset: Int) {
                buffer = .allocate(byteCount: count, alignment: 8)
                self.offset = offset
            }

            deinit { buffer.deallocate() }

            /// A little-endian cursor over the bytes, at their dump offsets; valid only while this
            /// object lives, so use it inside a call that has the object as a parameter.
            func cursor(_ path: String) -> ByteCursor {
                ByteCursor(UnsafeRawBufferPointer(buffer), base: offset, path: path)
            }

            /// The unsigned 64-bit field at `offset` (from the start of the copy).
            func u64(_ offset: Int, _ order: ByteCursor.ByteOrder, _ field: String, path: String) throws(DumpError)
                -> UInt64
            {
                try cursor(path).reading(order).u64(offset, field)
            }

            /// Whether every byte is zero.
            var isAllZero: Bool { UnsafeRawBufferPointer(buffer).allSatisfy { $0 == 0 } }
        }
    }

    /// Reads pages: in place when stored uncompressed in one stretch of the file, else through
    /// per-reader buffers.
    final class Reader: PageReader {
        let image: KdumpImage
        let storage: Storage
        /// Gathers a descriptor that records of a stream split.
        private let descriptorScratch: UnsafeMutableRawBufferPointer
        /// Gathers page data that records of a stream split.
        private let dataScratch: UnsafeMutableRawBufferPointer
        /// The page handed out for descriptors of the shared zero block.
        private let zeroPage: UnsafeMutableRawBufferPointer
        /// Restores compressed pages.
        private let decompressor: PageCompression.Decompressor

        init(image: KdumpImage) {
            self.image = image
            storage = Storage(file: image.file, stream: image.stream)
            let block = image.pageSize.bytes
            descriptorScratch = .allocate(byteCount: KdumpImage.descriptorSize, alignment: 8)
            dataScratch = .allocate(byteCount: block, alignment: 64)
            zeroPage = .allocate(byteCount: block, alignment: 64)
            zeroPage.initializeMemory(as: UInt8.self, repeating: 0)
            decompressor = PageCompression.Decompressor(blockSize: block)
        }

        deinit {
            descriptorScratch.deallocate()
            dataScratch.deallocate()
            zeroPage.deallocate()
        }

        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            let block = image.pageSize.bytes
            let at = image.descriptorStart + index * KdumpImage.descriptorSize
            guard let descriptor = storage.bytes(at..<(at + KdumpImage.descriptorSize), scratch: descriptorScratch)
            else {
                throw storage.error(
                    at: at, "page descriptor #\(index) is not in the dump (the file is cut short)", skippable: true)
            }
            let cursor = ByteCursor(descriptor, base: at, byteOrder: image.byteOrder, path: image.path)
            let offset = try cursor.u64(0, "page_desc.offset")
            let size = Int(try cursor.u32(8, "page_desc.size"))
            let flags = try cursor.u32(12, "page_desc.flags")

            func corrupt(_ problem: String, at location: Int? = nil) -> DumpError {
                storage.error(
                    at: location ?? at, "page #\(index) (descriptor at offset \(at)): " + problem, skippable: true)
            }
            guard flags & ~PageCompression.flagMask == 0 else {
                throw corrupt("unknown page_desc.flags 0x\(String(flags, radix: 16))")
            }
            let method: PageCompression?
            switch flags {
            case 0: method = nil
            default:
                guard let known = PageCompression(rawValue: flags) else {
                    throw corrupt("page_desc.flags 0x\(String(flags, radix: 16)) names more than one compression")
                }
                method = known
            }
            guard let start = Checked.int(offset) else {
                throw corrupt("page data offset \(offset) is beyond any file")
            }
            if method == nil, size == block, start == image.zeroBlock { return UnsafeRawBufferPointer(zeroPage) }
            guard size > 0, size <= block else {
                throw corrupt("page data size \(size) is not between 1 and the block size \(block)")
            }
            guard method != nil || size == block else {
                throw corrupt("uncompressed page data of \(size) bytes; the block size is \(block)")
            }
            guard start >= image.dataStart else {
                throw corrupt(
                    "page data at offset \(start) lies inside the headers, bitmaps or descriptors "
                        + "(data starts at \(image.dataStart))"
                )
            }
            guard let end = Checked.add(start, size), let data = storage.bytes(start..<end, scratch: dataScratch) else {
                throw corrupt("page data (\(size) bytes at offset \(start)) lies past the end of the dump", at: start)
            }
            guard let method else { return data }
            switch decompressor.decompress(data, method) {
            case .success(let page): return page
            case .failure(let failure): throw corrupt(failure.reason, at: start)
            }
        }
    }
}
