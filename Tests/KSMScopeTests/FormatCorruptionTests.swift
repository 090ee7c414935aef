import Foundation
import Testing

@testable import KSMScope

/// Writes `bytes` with some integers overwritten (little-endian unless told).
func patched(_ bytes: [UInt8], bigEndian: Bool = false, _ edits: (inout ByteWriter) -> Void) -> [UInt8] {
    var writer = ByteWriter(bytes: bytes, bigEndian: bigEndian)
    edits(&writer)
    return writer.bytes
}

/// Opens and scans `path`, returning the ``DumpError`` it fails with (nil when it does not).
func dumpError(_ path: String, pageSize: Int = 4096, keepGoing: Bool = false) -> DumpError? {
    do {
        _ = try scanReport([path], pageSize: pageSize, keepGoing: keepGoing)
        return nil
    } catch let error as DumpError {
        #expect(error.path == path)
        #expect(error.description.hasPrefix("\(path): offset \(error.offset) "))
        #expect(!error.description.contains("\n"))
        return error
    } catch {
        Issue.record("expected a DumpError, got \(error)")
        return nil
    }
}

@Suite("Damaged ELF cores")
struct FormatElfCorruptionTests {
    let guest = GuestFixture.mixed()
    var elf: [UInt8] { DumpWriter.elf(guest) }
    /// Program header offsets: PT_NOTE at 64, then one PT_LOAD per run, then the alias.
    func loadHeader(_ number: Int) -> Int { 64 + 56 * number }

    @Test("structural damage is an error at the right offset, never skippable")
    func structural() throws {
        let folder = try TemporaryFolder()
        let cases: [(String, [UInt8], Int)] = [
            ("header cut short", Array(elf[0..<40]), 54),
            ("e_ident cut short", Array(elf[0..<10]), 0),
            ("unknown class", patched(elf) { $0.put(UInt8(3), at: 4) }, 4),
            ("unknown byte order", patched(elf) { $0.put(UInt8(0), at: 5) }, 5),
            ("not a core", patched(elf) { $0.put(UInt16(2), at: 16) }, 16),
            ("small e_phentsize", patched(elf) { $0.put(UInt16(20), at: 54) }, 54),
            ("table past the end", patched(elf) { $0.put(UInt16(0xFFFE), at: 56) }, 32),
            ("PN_XNUM without section header", patched(elf) { $0.put(UInt16(0xFFFF), at: 56) }, 40),
            (
                "p_paddr + p_filesz overflows", patched(elf) { $0.put(UInt64.max - 4095, at: loadHeader(3) + 24) },
                loadHeader(3)
            ),
            (
                "p_offset + p_filesz overflows", patched(elf) { $0.put(UInt64.max - 10, at: loadHeader(3) + 8) },
                loadHeader(3)
            ),
            (
                "2^50 bytes past the end",
                patched(elf) {
                    $0.put(UInt64(1) << 50, at: loadHeader(3) + 32)
                    $0.put(UInt64(1) << 50, at: loadHeader(3) + 40)
                }, loadHeader(3)
            ),
            ("no PT_LOAD holds a page", patched(elf) { for n in 1...4 { $0.put(UInt32(0), at: loadHeader(n)) } }, 32),
        ]
        for (name, bytes, offset) in cases {
            let error = dumpError(try folder.write(name, bytes))
            #expect(error?.offset == offset, "\(name): \(error.map { "\($0)" } ?? "no error")")
            #expect(error?.skippable == false, "\(name)")
        }
    }

    @Test("segments mapping the same file bytes at many addresses are refused")
    func aliasedFileBytes() throws {
        var out = ByteWriter()
        out.append([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0])
        out.zeros(8)
        out.u16(4)
        out.u16(62)
        out.u32(1)
        out.u64(0)
        out.u64(64)
        out.u64(0)
        out.u32(0)
        out.u16(64)
        out.u16(56)
        out.u16(100)
        out.zeros(6)
        for number in 0..<100 {
            out.u32(1)
            out.u32(0)
            out.u64(0)
            out.u64(0)
            out.u64(UInt64(number) << 32)  // a new address each time, the same bytes
            out.u64(64 * 1024)
            out.u64(64 * 1024)
            out.u64(0)
        }
        out.pad(to: 64 * 1024)
        let scratch = try TemporaryFolder()
        let error = dumpError(try scratch.write("alias.elf", out.bytes))
        #expect(error?.offset == 64 + 56)
    }

    @Test("pages of a segment cut off by the end of the file are skippable and counted with keep-going")
    func truncatedSegment() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("cut.elf", Array(elf.dropLast(5 * 4096 + 100)))
        let error = dumpError(path)
        #expect(error?.skippable == true)
        #expect(error?.offset == elf.count - 6 * 4096)
        #expect(error?.problem.contains("past the end of the file") == true)

        let report = try scanReport([path], keepGoing: true)
        #expect(report.unreadablePages == 6)
        #expect(report.pages == guest.frames.count - 6)
        let rest = guest.removing(Set(guest.frames.suffix(6)))
        #expect(
            normalized(report).pagesSharing
                == normalized(try scanReport([try folder.write("raw", rest.raw)])).pagesSharing)
    }

    @Test("a segment with p_filesz above p_memsz: its pages are skippable and counted with keep-going")
    func fileBeyondMemory() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("filesz.elf", patched(elf) { $0.put(UInt64(1), at: loadHeader(2) + 40) })
        let error = dumpError(path)
        #expect(error?.skippable == true)
        #expect(error?.offset == loadHeader(2))
        let report = try scanReport([path], keepGoing: true)
        #expect(report.unreadablePages == guest.runs[1].count)
        #expect(report.pages == guest.frames.count - guest.runs[1].count)
    }

    @Test("with keep-going, a segment whose numbers overflow is left out")
    func droppedSegment() throws {
        let bytes = patched(elf) { $0.put(UInt64.max - 4095, at: loadHeader(3) + 24) }
        let scratch = try TemporaryFolder()
        let path = try scratch.write("overflow.elf", bytes)
        let image = try ElfCoreImage(path: path, pageSize: .default, keepGoing: true)
        #expect(image.droppedSegments == 1)
        #expect(image.pageCount == guest.frames.count - guest.runs[2].count)
    }

    @Test("overlapping segments count each guest-physical page once, from the first")
    func overlappingSegments() throws {
        // Move the third run onto the second's addresses: its pages are then aliases.
        let bytes = patched(elf) { $0.put(UInt64(16 * 4096 - 100), at: loadHeader(3) + 24) }
        let scratch = try TemporaryFolder()
        let image = try ElfCoreImage(path: try scratch.write("overlap.elf", bytes), pageSize: .default)
        // Run 2 (14 pages from frame 16) wins frames 16...29; run 3 adds frames 30...30+.
        #expect(image.pageCount == 12 + 14 + 1)
        #expect(Array(try image.makeReader().page(12)) == guest.pages[12])
    }
}

@Suite("Damaged LiME files")
struct FormatLimeCorruptionTests {
    let guest = GuestFixture.mixed()
    var lime: [UInt8] { DumpWriter.lime(guest) }
    /// The offsets of the range headers.
    var headers: [Int] {
        let runs = guest.runs
        let second = 32 + runs[0].count * 4096
        return [0, second, second + 32 + DumpWriter.partialHead + runs[1].count * 4096 + DumpWriter.partialTail]
    }

    @Test("structural damage is an error at the right offset")
    func structural() throws {
        let folder = try TemporaryFolder()
        let cases: [(String, [UInt8], Int)] = [
            ("trailing bytes", lime + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], lime.count),
            ("bad magic in the second header", patched(lime) { $0.put(UInt32(0x1234), at: headers[1]) }, headers[1]),
            ("version 2", patched(lime) { $0.put(UInt32(2), at: 4) }, 4),
            ("end before start", patched(lime) { $0.put(UInt64(0), at: headers[1] + 16) }, headers[1] + 8),
            ("end overflows", patched(lime) { $0.put(UInt64.max, at: headers[2] + 16) }, headers[2] + 8),
            ("2^50 bytes past the end", patched(lime) { $0.put(UInt64(1) << 50, at: headers[2] + 16) }, headers[2]),
        ]
        for (name, bytes, offset) in cases {
            let error = dumpError(try folder.write(name, bytes))
            #expect(error?.offset == offset, "\(name): \(error.map { "\($0)" } ?? "no error")")
            #expect(error?.skippable == false, "\(name)")
        }
    }

    @Test("a last range cut short: its missing pages are skippable and counted with keep-going")
    func truncatedRange() throws {
        let scratch = try TemporaryFolder()
        let path = try scratch.write("cut.lime", Array(lime.dropLast(3 * 4096 + 1)))
        let error = dumpError(path)
        #expect(error?.skippable == true)
        #expect(error?.offset == lime.count - 4 * 4096)
        let report = try scanReport([path], keepGoing: true)
        #expect(report.unreadablePages == 4)
        #expect(report.pages == guest.frames.count - 4)
    }
}

@Suite("Damaged kdump-compressed dumps")
struct FormatKdumpCorruptionTests {
    let guest = GuestFixture.mixed()

    /// The dump and where its parts are.
    var dump: (bytes: [UInt8], layout: DumpWriter.KdumpLayout) { DumpWriter.kdumpWithLayout(guest) }

    /// The file offset of dumped page `index`'s descriptor.
    func descriptor(_ index: Int) -> Int { dump.layout.descriptorStart + 24 * index }

    /// The first page compressed with `method`.
    func firstPage(_ method: PageCompression) -> Int { dump.layout.compressions.firstIndex { $0 == method }! }

    @Test("structural damage is an error at the right offset, never skippable")
    func structural() throws {
        let folder = try TemporaryFolder()
        let (bytes, layout) = dump
        let second = layout.bitmapStart + layout.bitmapHalf
        let cases: [(String, [UInt8], Int)] = [
            ("header cut short", Array(bytes[0..<300]), 0),
            ("sub-header cut short", Array(bytes[0..<4100]), 4096),
            ("old DISKDUMP", patched(bytes) { $0.put(UInt64(0x504D_5544_4B53_4944), at: 0) }, 0),
            ("header_version 99", patched(bytes) { $0.put(UInt32(99), at: 8) }, 8),
            ("block_size 1000", patched(bytes) { $0.put(UInt32(1000), at: 428) }, 428),
            ("sub_hdr_size 0", patched(bytes) { $0.put(UInt32(0), at: 432) }, 432),
            ("bitmaps past the end", patched(bytes) { $0.put(UInt32(1) << 31, at: 436) }, 436),
            ("max_mapnr beyond the bitmaps", patched(bytes) { $0.put(UInt64(1) << 40, at: 4096 + 96) }, 436),
            ("dumped but absent", patched(bytes) { $0.bytes[second + 1] |= 0x20 }, second + 1),  // frame 13, a hole
            (
                "bitmap counts a frame too many",
                patched(bytes) {
                    $0.bytes[layout.bitmapStart + 1] |= 0x20
                    $0.bytes[second + 1] |= 0x20
                }, layout.descriptorStart
            ),
            (
                "2^24 frames claimed",
                patched(bytes) { writer in
                    writer.put(UInt32(2 * 512), at: 436)
                    writer.put(UInt64(1) << 24, at: 4096 + 96)
                    writer.bytes =
                        Array(writer.bytes[0..<layout.bitmapStart]) + [UInt8](repeating: 0xFF, count: 2 * 512 * 4096)
                }, layout.bitmapStart + 2 * 512 * 4096
            ),
            (
                "no frame dumped",
                patched(bytes) { for index in 0..<layout.bitmapHalf { $0.bytes[second + index] = 0 } }, second
            ),
        ]
        for (name, bytes, offset) in cases {
            let error = dumpError(try folder.write(name, bytes))
            #expect(error?.offset == offset, "\(name): \(error.map { "\($0)" } ?? "no error")")
            #expect(error?.skippable == false, "\(name)")
        }
        let mismatch = dumpError(try folder.write("8k", bytes), pageSize: 8192)
        #expect(mismatch?.offset == 428)
        #expect(mismatch?.problem.contains("--page-size 4096") == true)
    }

    @Test("a damaged page is skippable at its offset; keep-going counts it", arguments: PageCompression.allCases)
    func corruptPage(method: PageCompression) throws {
        let (bytes, layout) = dump
        let page = firstPage(method)
        let data = layout.dataOffsets[page]
        let damaged = patched(bytes) { writer in
            for index in 0..<8 { writer.bytes[data + index] ^= 0x5A }
        }
        let scratch = try TemporaryFolder()
        let path = try scratch.write("corrupt", damaged)
        let error = dumpError(path)
        #expect(error?.skippable == true)
        #expect(error?.offset == data, "\(error.map { "\($0)" } ?? "no error")")
        let report = try scanReport([path], keepGoing: true)
        #expect(report.unreadablePages == 1)
        #expect(report.pages == guest.frames.count - 1)
    }

    @Test("bad page descriptors are skippable")
    func badDescriptors() throws {
        let folder = try TemporaryFolder()
        let (bytes, layout) = dump
        let stored = layout.compressions.indices.first {
            layout.compressions[$0] == nil && layout.dataOffsets[$0] != layout.dataStart
        }!
        let zlib = firstPage(.zlib)
        let cases: [(String, [UInt8], Int)] = [
            ("data past the end", patched(bytes) { $0.put(UInt64(1) << 40, at: descriptor(stored)) }, 1 << 40),
            (
                "data offset beyond Int", patched(bytes) { $0.put(UInt64.max, at: descriptor(stored)) },
                descriptor(stored)
            ),
            (
                "data inside the headers", patched(bytes) { $0.put(UInt64(4096), at: descriptor(stored)) },
                descriptor(stored)
            ),
            ("size 0", patched(bytes) { $0.put(UInt32(0), at: descriptor(zlib) + 8) }, descriptor(zlib)),
            (
                "size above the block", patched(bytes) { $0.put(UInt32(5000), at: descriptor(zlib) + 8) },
                descriptor(zlib)
            ),
            (
                "stored page too short", patched(bytes) { $0.put(UInt32(100), at: descriptor(stored) + 8) },
                descriptor(stored)
            ),
            ("unknown flag", patched(bytes) { $0.put(UInt32(0x8), at: descriptor(zlib) + 12) }, descriptor(zlib)),
            ("two compressions", patched(bytes) { $0.put(UInt32(0x3), at: descriptor(zlib) + 12) }, descriptor(zlib)),
            (
                "wrong compression", patched(bytes) { $0.put(UInt32(0x20), at: descriptor(zlib) + 12) },
                layout.dataOffsets[zlib]
            ),
        ]
        for (name, bytes, offset) in cases {
            let path = try folder.write(name, bytes)
            let error = dumpError(path)
            #expect(error?.offset == offset, "\(name): \(error.map { "\($0)" } ?? "no error")")
            #expect(error?.skippable == true, "\(name)")
            #expect(try scanReport([path], keepGoing: true).unreadablePages == 1, "\(name)")
        }
    }

    @Test("a damaged flattened stream is an error at the right offset")
    func flattenedStructure() throws {
        let folder = try TemporaryFolder()
        let stream = DumpWriter.kdump(guest, .init(flattened: true))
        let cases: [(String, [UInt8], Int)] = [
            ("type 2", patched(stream, bigEndian: true) { $0.put(Int64(2), at: 16) }, 16),
            ("version 3", patched(stream, bigEndian: true) { $0.put(Int64(3), at: 24) }, 24),
            ("header cut short", Array(stream[0..<2000]), 0),
            ("negative offset", patched(stream, bigEndian: true) { $0.put(Int64(-5), at: 4096) }, 4096),
            ("negative size", patched(stream, bigEndian: true) { $0.put(Int64(-5), at: 4104) }, 4104),
            ("offset overflows", patched(stream, bigEndian: true) { $0.put(Int64.max - 10, at: 4096) }, 4096),
            ("nothing written", Array(stream[0..<4096]), 0),
        ]
        for (name, bytes, offset) in cases {
            let error = dumpError(try folder.write(name, bytes))
            #expect(error?.offset == offset, "\(name): \(error.map { "\($0)" } ?? "no error")")
            #expect(error?.skippable == false, "\(name)")
        }
    }

    @Test("a dump cut short in its descriptors: their pages are skippable and counted with keep-going")
    func descriptorsCutShort() throws {
        let (bytes, layout) = dump
        let folder = try TemporaryFolder()
        let path = try folder.write("cut", Array(bytes[0..<(layout.descriptorStart + 100)]))
        let error = dumpError(path)
        #expect(error?.skippable == true)
        // Descriptors 0...3 are there, but no page data: every page is unreadable.
        let report = try scanReport([path], keepGoing: true)
        #expect(report.unreadablePages == guest.frames.count)
        #expect(report.pages == 0)
    }

    @Test("a flattened stream cut short loses only the pages whose data is missing")
    func flattenedTruncated() throws {
        let stream = DumpWriter.kdump(guest, .init(flattened: true))
        let scratch = try TemporaryFolder()
        let path = try scratch.write("cut", Array(stream.dropLast(3 * 4096)))
        #expect(dumpError(path)?.skippable == true)
        let report = try scanReport([path], keepGoing: true)
        #expect(report.unreadablePages > 0)
        #expect(report.pages + report.unreadablePages == guest.frames.count)
    }

    @Test("later records of a stream overwrite earlier ones")
    func overwrites() {
        typealias Segment = FlattenedKdumpStream.Segment
        let nested = FlattenedKdumpStream.resolveOverwrites([
            Segment(logicalStart: 0, length: 100, fileOffset: 1000),
            Segment(logicalStart: 10, length: 10, fileOffset: 2000),
        ])
        #expect(
            nested == [
                Segment(logicalStart: 0, length: 10, fileOffset: 1000),
                Segment(logicalStart: 10, length: 10, fileOffset: 2000),
                Segment(logicalStart: 20, length: 80, fileOffset: 1020),
            ])
        let covered = FlattenedKdumpStream.resolveOverwrites([
            Segment(logicalStart: 0, length: 100, fileOffset: 1000),
            Segment(logicalStart: 50, length: 10, fileOffset: 2000),
            Segment(logicalStart: 40, length: 80, fileOffset: 3000),
            Segment(logicalStart: 200, length: 5, fileOffset: 4000),
        ])
        #expect(
            covered == [
                Segment(logicalStart: 0, length: 40, fileOffset: 1000),
                Segment(logicalStart: 40, length: 80, fileOffset: 3000),
                Segment(logicalStart: 200, length: 5, fileOffset: 4000),
            ])
        let earlierWins = FlattenedKdumpStream.resolveOverwrites([
            Segment(logicalStart: 10, length: 10, fileOffset: 2000),
            Segment(logicalStart: 0, length: 100, fileOffset: 1000),
        ])
        #expect(earlierWins == [Segment(logicalStart: 0, length: 100, fileOffset: 1000)])
    }

    @Test("a header claiming 2^60 page frames neither allocates nor hangs")
    func absurdSizes() throws {
        let folder = try TemporaryFolder()
        let (bytes, _) = dump
        let huge = patched(bytes) {
            $0.put(UInt32.max, at: 436)  // bitmap_blocks
            $0.put(UInt64(1) << 60, at: 4096 + 96)  // max_mapnr_64
        }
        #expect(dumpError(try folder.write("huge", huge)) != nil)
        // As a stream the bitmaps may be holes: the work stays bounded by what the records hold.
        let half = Int(UInt32.max) * 4096 / 2
        let covering = patched(huge) { $0.put(UInt64(half) * 8, at: 4096 + 96) }
        var stream = DumpWriter.flattenedStreamHeader()
        stream.i64(0)
        stream.i64(Int64(covering.count))
        stream.append(covering)
        stream.i64(Int64(2 * 4096 + half + 1000))  // dumped frames far out in the 2nd bitmap
        stream.i64(8)
        stream.u64(0xFFFF_FFFF_FFFF_FFFF)
        stream.i64(-1)
        stream.i64(-1)
        let error = dumpError(try folder.write("huge-stream", stream.bytes))
        #expect(error != nil)
    }
}
