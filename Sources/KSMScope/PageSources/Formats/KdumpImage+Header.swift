extension KdumpImage {
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
}
