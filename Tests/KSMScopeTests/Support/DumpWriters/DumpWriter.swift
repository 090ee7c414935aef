// Test support shared with Fuzz/ (Fuzz/Sources/FuzzSupport/DumpWriters is a symlink to this
// folder, whose files write the fuzzers' seed corpus): no tests and no `import Testing` here.
// Writers for every dump format ksmscope reads, so the tests build their dumps from known
// pages instead of storing binaries.

@testable import KSMScope

/// Writes a guest as each dump format.
enum DumpWriter {
    /// How to lay out an ELF core.
    struct ElfOptions {
        /// Where the first segment's data starts (QEMU 7.2: 0x498, not page-aligned).
        var firstDataOffset = 0x498
        /// Add a PT_LOAD that maps part of the first run again (as `paging=true` does).
        var alias = true
        /// Give the last segment a `p_memsz` beyond its `p_filesz`.
        var memoryBeyondFile = 3
        /// Extend the second run's segment by partial pages on both sides (guest frames next
        /// to it must be holes).
        var partialEdges = true
        /// Put the program header count in section header 0 (`PN_XNUM`).
        var extendedCount = false
        /// Extra PT_LOADs with no file bytes, to pass 0xFFFF program headers.
        var emptyLoads = 0
        var bigEndian = false
        var class32 = false
    }

    /// Partial-page bytes written before and after the second run with `partialEdges`.
    static let partialHead = 100
    static let partialTail = 50

    /// An ELF core of `guest`, one PT_LOAD per run of frames, after a PT_NOTE.
    static func elf(_ guest: GuestFixture, _ options: ElfOptions = ElfOptions()) -> [UInt8] {
        let size = guest.pageSize
        let runs = guest.runs
        struct Load {
            var offset: Int
            var paddr: UInt64
            var filesz: Int
            var memsz: Int
            var vaddr: UInt64
        }
        let headerSize = options.class32 ? 52 : 64
        let entrySize = options.class32 ? 32 : 56
        let sectionSize = options.class32 ? 40 : 64
        let loadCount = runs.count + (options.alias ? 1 : 0) + options.emptyLoads
        let phnum = 1 + loadCount
        let tableEnd = headerSize + phnum * entrySize + (options.extendedCount ? sectionSize : 0)
        var dataOffset = max(options.firstDataOffset, tableEnd)
        var data: [UInt8] = []
        var loads: [Load] = []
        for (number, run) in runs.enumerated() {
            let edges = options.partialEdges && number == 1
            let head = edges ? partialHead : 0
            let tail = edges ? partialTail : 0
            let start = dataOffset + data.count
            data += [UInt8](repeating: 0xEE, count: head)
            for page in guest.pages[run.index..<(run.index + run.count)] { data += page }
            data += [UInt8](repeating: 0xDD, count: tail)
            let filesz = head + run.count * size + tail
            let memsz = filesz + (number == runs.count - 1 ? options.memoryBeyondFile * size : 0)
            loads.append(
                Load(
                    offset: start, paddr: run.frame * UInt64(size) - UInt64(head), filesz: filesz, memsz: memsz,
                    vaddr: 0))
        }
        if options.alias, let first = loads.first {
            // Frames 1 and 2 of the first run again, as a virtual mapping of the same bytes.
            loads.append(
                Load(
                    offset: first.offset + size, paddr: first.paddr + UInt64(size), filesz: 2 * size, memsz: 2 * size,
                    vaddr: 0xFFFF_8000_0000_0000))
        }
        for _ in 0..<options.emptyLoads { loads.append(Load(offset: 0, paddr: 0, filesz: 0, memsz: 0, vaddr: 0)) }

        var out = ByteWriter(bigEndian: options.bigEndian)
        out.append([0x7F, 0x45, 0x4C, 0x46, options.class32 ? 1 : 2, options.bigEndian ? 2 : 1, 1, 0])
        out.zeros(8)
        out.u16(4)  // ET_CORE
        out.u16(options.class32 ? 3 : 62)
        out.u32(1)
        let shoff = headerSize + phnum * entrySize
        if options.class32 {
            out.u32(0)
            out.u32(UInt32(headerSize))
            out.u32(options.extendedCount ? UInt32(shoff) : 0)
        } else {
            out.u64(0)
            out.u64(UInt64(headerSize))
            out.u64(options.extendedCount ? UInt64(shoff) : 0)
        }
        out.u32(0)
        out.u16(UInt16(headerSize))
        out.u16(UInt16(entrySize))
        out.u16(options.extendedCount || phnum >= 0xFFFF ? 0xFFFF : UInt16(phnum))
        out.u16(options.extendedCount ? UInt16(sectionSize) : 0)
        out.u16(options.extendedCount ? 1 : 0)
        out.u16(0)
        // PT_NOTE (empty), then the loads.
        let note = Load(offset: tableEnd, paddr: 0, filesz: 0, memsz: 0, vaddr: 0)
        for (index, load) in ([note] + loads).enumerated() {
            let type: UInt32 = index == 0 ? 4 : 1
            if options.class32 {
                out.u32(type)
                out.u32(UInt32(load.offset))
                out.u32(UInt32(truncatingIfNeeded: load.vaddr == 0 ? load.paddr : load.vaddr))
                out.u32(UInt32(load.paddr))
                out.u32(UInt32(load.filesz))
                out.u32(UInt32(load.memsz))
                out.u32(0)
                out.u32(0)
            } else {
                out.u32(type)
                out.u32(0)
                out.u64(UInt64(load.offset))
                out.u64(load.vaddr == 0 ? load.paddr : load.vaddr)
                out.u64(load.paddr)
                out.u64(UInt64(load.filesz))
                out.u64(UInt64(load.memsz))
                out.u64(0)
            }
        }
        if options.extendedCount {
            let start = out.bytes.count
            out.zeros(sectionSize)
            out.put(UInt32(phnum), at: start + (options.class32 ? 28 : 44))
        }
        dataOffset = max(dataOffset, out.bytes.count)
        out.pad(to: dataOffset)
        out.append(data)
        return out.bytes
    }

    /// A LiME file of `guest`, one range per run of frames; `partialEdges` extends the second
    /// range by partial pages on both sides.
    static func lime(_ guest: GuestFixture, partialEdges: Bool = true) -> [UInt8] {
        var out = ByteWriter()
        for (number, run) in guest.runs.enumerated() {
            let edges = partialEdges && number == 1
            let head = edges ? partialHead : 0
            let tail = edges ? partialTail : 0
            let start = run.frame * UInt64(guest.pageSize) - UInt64(head)
            let length = head + run.count * guest.pageSize + tail
            out.u32(0x4C69_4D45)
            out.u32(1)
            out.u64(start)
            out.u64(start + UInt64(length) - 1)
            out.zeros(8)
            out.append([UInt8](repeating: 0xEE, count: head))
            for page in guest.pages[run.index..<(run.index + run.count)] { out.append(page) }
            out.append([UInt8](repeating: 0xDD, count: tail))
        }
        return out.bytes
    }

    /// How to write a kdump-compressed dump.
    struct KdumpOptions {
        /// The compression of each non-zero page in turn (nil: stored as is); a page that does
        /// not shrink is stored as is, as makedumpfile does.
        var compressions: [PageCompression?] = [.zlib, .lzo, .snappy, .zstd, nil]
        /// Point every zero page at one zero block (QEMU); else zero pages are compressed too.
        var sharedZeroBlock = true
        /// Frames present in the 1st bitmap but excluded from the 2nd (not in the dump).
        var excluded: Set<UInt64> = []
        /// Write the flattened stream form.
        var flattened = false
        var bigEndian = false
        var version: Int32 = 6
    }

    /// Where the parts of a written kdump are (offsets in the reassembled dump).
    struct KdumpLayout {
        var bitmapStart = 0
        var bitmapHalf = 0
        var descriptorStart = 0
        var dataStart = 0
        /// The data offset of each dumped page, in order.
        var dataOffsets: [Int] = []
        /// The compression used for each dumped page.
        var compressions: [PageCompression?] = []
    }

    /// The 4096-byte header of a flattened stream (big-endian signature, type and version 1),
    /// ready for records.
    static func flattenedStreamHeader() -> ByteWriter {
        var stream = ByteWriter(bigEndian: true)
        stream.append(Array("makedumpfile".utf8))
        stream.pad(to: 16)
        stream.i64(1)
        stream.i64(1)
        stream.pad(to: 4096)
        return stream
    }

    /// A kdump-compressed dump (header version 6, 64-bit layout) of `guest`.
    static func kdump(_ guest: GuestFixture, _ options: KdumpOptions = KdumpOptions()) -> [UInt8] {
        kdumpWithLayout(guest, options).bytes
    }

    static func kdumpWithLayout(_ guest: GuestFixture, _ options: KdumpOptions = KdumpOptions()) -> (
        bytes: [UInt8], layout: KdumpLayout
    ) {
        let block = guest.pageSize
        let maxMapnr = Int((guest.frames.last ?? 0) + 1)
        let bitmapHalfBlocks = max(1, ((maxMapnr + 7) / 8 + block - 1) / block)
        var layout = KdumpLayout()
        layout.bitmapStart = 2 * block
        layout.bitmapHalf = bitmapHalfBlocks * block
        layout.descriptorStart = layout.bitmapStart + 2 * layout.bitmapHalf

        var header = ByteWriter(bigEndian: options.bigEndian)
        header.append(Array("KDUMP   ".utf8))
        header.u32(UInt32(bitPattern: options.version))
        header.pad(to: 424)
        header.u32(0)  // status
        header.u32(UInt32(block))
        header.u32(1)  // sub_hdr_size
        header.u32(UInt32(2 * bitmapHalfBlocks))
        header.u32(UInt32(maxMapnr))
        header.pad(to: 464)

        var sub = ByteWriter(bigEndian: options.bigEndian)
        sub.u64(0)  // phys_base
        sub.u32(31)  // dump_level
        sub.u32(0)  // split
        sub.u64(0)
        sub.u64(UInt64(maxMapnr))
        sub.pad(to: 96)
        sub.u64(UInt64(maxMapnr))  // max_mapnr_64

        var first = [UInt8](repeating: 0, count: layout.bitmapHalf)
        var second = first
        var dumped: [Int] = []
        for (index, frame) in guest.frames.enumerated() {
            first[Int(frame / 8)] |= 1 << (frame % 8)
            guard !options.excluded.contains(frame) else { continue }
            second[Int(frame / 8)] |= 1 << (frame % 8)
            dumped.append(index)
        }
        layout.dataStart = layout.descriptorStart + 24 * dumped.count

        var descriptors = ByteWriter(bigEndian: options.bigEndian)
        var data: [UInt8] = []
        let zero = [UInt8](repeating: 0, count: block)
        if options.sharedZeroBlock { data += zero }
        var turn = 0
        for index in dumped {
            let page = guest.pages[index]
            var offset = layout.dataStart + data.count
            var stored = page
            var method: PageCompression?
            if options.sharedZeroBlock, page == zero {
                offset = layout.dataStart
                stored = []
            } else {
                // Take the methods in turn over the pages that shrink, so each is used.
                method = options.compressions.isEmpty ? nil : options.compressions[turn % options.compressions.count]
                if let chosen = method, let packed = PageCompression.compress(page, with: chosen), packed.count < block
                {
                    stored = packed
                    turn += 1
                } else {
                    if method == nil { turn += 1 }
                    method = nil
                }
            }
            layout.dataOffsets.append(offset)
            layout.compressions.append(method)
            descriptors.u64(UInt64(offset))
            descriptors.u32(UInt32(stored.isEmpty ? block : stored.count))
            descriptors.u32(method?.rawValue ?? 0)
            descriptors.u64(0)
            data += stored
        }

        // The reassembled dump, as a plain file.
        var plain = header.bytes
        plain += [UInt8](repeating: 0, count: block - plain.count)
        plain += sub.bytes + [UInt8](repeating: 0, count: block - sub.bytes.count)
        plain += first + second + descriptors.bytes + data
        guard options.flattened else { return (plain, layout) }

        // The same as a stream: records in QEMU's order, buffers flushed every 4 blocks, so
        // pages and descriptors straddle records; then the sub-header written again.
        var stream = flattenedStreamHeader()
        func record(_ offset: Int, _ bytes: ArraySlice<UInt8>) {
            stream.i64(Int64(offset))
            stream.i64(Int64(bytes.count))
            stream.append(Array(bytes))
        }
        record(0, header.bytes[...])
        record(block, sub.bytes[...])
        for start in stride(from: 0, to: layout.bitmapHalf, by: block)
        where first[start..<(start + block)].contains(where: { $0 != 0 }) {
            record(layout.bitmapStart + start, first[start..<(start + block)])
            record(layout.bitmapStart + layout.bitmapHalf + start, second[start..<(start + block)])
        }
        let chunk = 4 * block
        var descriptorDone = 0
        var dataDone = 0
        while descriptorDone < descriptors.bytes.count || dataDone < data.count {
            if dataDone < data.count {
                let end = min(data.count, dataDone + chunk + 123)  // odd sizes: pages straddle records
                record(layout.dataStart + dataDone, data[dataDone..<end])
                dataDone = end
            }
            if descriptorDone < descriptors.bytes.count {
                let end = min(descriptors.bytes.count, descriptorDone + chunk / 3 + 5)
                record(layout.descriptorStart + descriptorDone, descriptors.bytes[descriptorDone..<end])
                descriptorDone = end
            }
        }
        record(block, sub.bytes[...])  // makedumpfile rewrites the sub-header after eraseinfo
        stream.i64(-1)
        stream.i64(-1)
        return (stream.bytes, layout)
    }
}
