import Foundation
import Testing

@testable import KSMScope

/// The real QEMU samples in `samples/qemu` (made by `samples/qemu/make-samples.sh`): one paused
/// 64 MiB guest, its RAM filled by QEMU's loader device, written by QEMU as raw memory, as an
/// ELF core and as a flattened kdump-zlib dump, and by makedumpfile (from that ELF core) as
/// kdump-compressed dumps.
enum QEMUSamples {
    /// `samples/qemu` of this checkout.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/qemu").path
    static let archive = folder + "/guest-dumps.tar.xz"
    static let kdump = folder + "/guest.kdump-zlib"
    static let facts = folder + "/SAMPLES.txt"

    /// The committed files.
    static var files: [String] { [archive, kdump, facts] }

    /// `SAMPLES.txt` as `key: value` pairs.
    static func readFacts() throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try String(contentsOfFile: facts, encoding: .utf8).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }

    /// Unpacks `guest.raw`, `guest.elf` and makedumpfile's dumps (`guest.kdump-lzo`,
    /// `guest.kdump-lzo-flat`, `guest.kdump-zlib-d1`) into a new temporary folder.
    static func unpack() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let outcome = try Shell.run("/bin/tar", ["-xJf", archive, "-C", folder.path])
        try #require(outcome.status == 0, "tar: \(outcome.stderr)")
        return folder
    }

    /// The page the guest's init wrote `copy` of: "KSMSCOPE SAMPLE WORD PAGE nnnn\n" repeated.
    static func page(_ word: String, _ index: Int) -> [UInt8] {
        let line = Array("KSMSCOPE SAMPLE \(word) PAGE \(String(format: "%04d", index))\n".utf8)
        return Array((0..<(4096 / line.count + 1)).flatMap { _ in line }.prefix(4096))
    }
}

@Suite("real QEMU samples", .qemuSamples)
struct QEMUSampleTests {
    @Test("the raw sample: the guest's RAM and BIOS ROM, mostly zero pages, the loaded pages where expected")
    func rawFacts() throws {
        let facts = try QEMUSamples.readFacts()
        let folder = try QEMUSamples.unpack()
        let raw = folder.path + "/guest.raw"
        let sum = try Shell.run("/usr/bin/sha256sum", [raw])
        #expect(sum.stdout.hasPrefix(try #require(facts["sha256_raw"])))

        // RAM from address 0 (-m, in the blocks QEMU's dump-guest-memory writes), then the
        // 256 KiB BIOS ROM below 4 GiB.
        let memory = try #require(facts["memory_mib"].flatMap { Int($0) })
        let ranges = try #require(facts["raw_ranges"]).split(separator: ",").map { $0.split(separator: " ") }
        #expect(ranges.last == ["0xfffc0000", "262144"])
        let ramBytes = ranges.dropLast().reduce(0) { $0 + (Int($1[1]) ?? 0) }
        #expect(ramBytes == memory << 20)
        let expectedPages = (memory << 20) / 4096 + 64

        // Count by hand: zero pages, the 256 pattern pages (4 copies each) and the 256 unique
        // text pages (one copy each).
        let file = try MappedFile(path: raw)
        #expect(file.bytes.count == expectedPages * 4096)
        var copies: [[UInt8]: Int] = [:]
        var zeroPages = 0
        let zero = [UInt8](repeating: 0, count: 4096)
        let marker = Array("KSMSCOPE SAMPLE ".utf8)
        for index in 0..<min(expectedPages, file.bytes.count / 4096) {
            let page = file.bytes.baseAddress! + index * 4096
            if memcmp(page, zero, 4096) == 0 {
                zeroPages += 1
            } else if memcmp(page, marker, marker.count) == 0 {
                copies[Array(UnsafeRawBufferPointer(start: page, count: 4096)), default: 0] += 1
            }
        }
        for index in 0..<256 {
            #expect(copies[QEMUSamples.page("PATTERN", index)] == 4, "pattern page \(index)")
            #expect(copies[QEMUSamples.page("UNIQUE", index)] == 1, "unique page \(index)")
        }
        #expect(zeroPages * 3 > expectedPages)

        let report = try SteadyStateScan().run(paths: [raw])
        #expect(report.pages == expectedPages)
        #expect(report.ignoredBytes == 0)
        #expect(report.zeroPages == zeroPages)
        #expect(report.images[0].uniquePages >= 256)
        // Each pattern content saves 3 pages; the zero pages save more.
        #expect(report.pagesSharing > 256 * 3 + zeroPages * 99 / 100)
        #expect(report.distinctContents < expectedPages - zeroPages)
    }

    @Test("raw, ELF and kdump-zlib of one paused guest scan to the same counts")
    func formatsAgree() throws {
        let facts = try QEMUSamples.readFacts()
        let folder = try QEMUSamples.unpack()
        let scan = SteadyStateScan()
        let raw = try scan.run(paths: [folder.path + "/guest.raw"])
        let elf = try scan.run(paths: [folder.path + "/guest.elf"])
        let kdump = try scan.run(paths: [QEMUSamples.kdump])
        #expect(raw.pages == (try #require(facts["raw_bytes"].flatMap { Int($0) })) / 4096)
        for (name, other) in [("ELF", elf), ("kdump-zlib", kdump)] {
            #expect(other.pages == raw.pages, "\(name) pages")
            #expect(other.zeroPages == raw.zeroPages, "\(name) zero_pages")
            #expect(other.distinctContents == raw.distinctContents, "\(name) distinct_contents")
            #expect(other.pagesShared == raw.pagesShared, "\(name) pages_shared")
            #expect(other.pagesSharing == raw.pagesSharing, "\(name) pages_sharing")
            #expect(other.pagesUnmerged == raw.pagesUnmerged, "\(name) pages_unmerged")
            #expect(other.stableNodeChains == raw.stableNodeChains, "\(name) stable_node_chains")
            #expect(other.stableNodeDups == raw.stableNodeDups, "\(name) stable_node_dups")
            #expect(other.rmapItems == raw.rmapItems, "\(name) rmap_items")
            #expect(other.generalProfit == raw.generalProfit, "\(name) general_profit")
            #expect(other.policies == raw.policies, "\(name) policies")
            #expect(other.unreadablePages == 0, "\(name) unreadable_pages")
            // The whole report but for the image's name.
            var same = other
            same.images[0].path = raw.images[0].path
            #expect(same == raw, "\(name) report")
        }
    }

    /// The page descriptors of a plain (not flattened) kdump, read by hand from the file:
    /// 24-byte little-endian `page_desc` entries (`offset`, `size`, `flags`, `page_flags`).
    static func descriptors(_ image: KdumpImage) -> [(offset: UInt64, flags: UInt32)] {
        (0..<image.pageCount).map { index in
            let at = image.descriptorStart + index * 24
            return (
                UInt64(littleEndian: image.file.bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)),
                UInt32(littleEndian: image.file.bytes.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self))
            )
        }
    }

    @Test("makedumpfile's dumps of the guest (lzo, flattened lzo, zlib with a shared zero block) equal the raw sample")
    func makedumpfileDumps() throws {
        let folder = try QEMUSamples.unpack()
        let scan = SteadyStateScan()
        let raw = try scan.run(paths: [folder.path + "/guest.raw"])
        // The 1024 pattern and 256 unique text pages compress; the 256 random pages do not and
        // are stored as they are (flags 0).
        let textPages = 256 * 4 + 256
        for name in ["guest.kdump-lzo", "guest.kdump-lzo-flat", "guest.kdump-zlib-d1"] {
            var report = try scan.run(paths: [folder.path + "/" + name])
            #expect(report.pages == raw.pages, "\(name) pages")
            #expect(report.unreadablePages == 0, "\(name) unreadable_pages")
            report.images[0].path = raw.images[0].path
            #expect(report == raw, "\(name) report")
        }

        // -l -d 0: every page on its own, LZO-compressed where that shrinks it (zero pages too);
        // -F: the same as a flattened stream.
        let lzo = try KdumpImage(path: folder.path + "/guest.kdump-lzo", pageSize: .default)
        #expect(!lzo.isFlattened)
        let lzoFlags = Dictionary(grouping: Self.descriptors(lzo), by: \.flags).mapValues(\.count)
        #expect(Set(lzoFlags.keys) == [0, PageCompression.lzo.rawValue], "\(lzoFlags)")
        #expect(lzoFlags[PageCompression.lzo.rawValue, default: 0] >= textPages + raw.zeroPages, "\(lzoFlags)")
        #expect(try KdumpImage(path: folder.path + "/guest.kdump-lzo-flat", pageSize: .default).isFlattened)

        // -c -d 1: zlib, and every zero page's descriptor points at one shared zero block
        // (makedumpfile keeps zero frames in a kdump-compressed dump's 2nd bitmap).
        let zlib = Self.descriptors(try KdumpImage(path: folder.path + "/guest.kdump-zlib-d1", pageSize: .default))
        let zlibFlags = Dictionary(grouping: zlib, by: \.flags).mapValues(\.count)
        #expect(Set(zlibFlags.keys) == [0, PageCompression.zlib.rawValue], "\(zlibFlags)")
        #expect(zlibFlags[PageCompression.zlib.rawValue, default: 0] >= textPages, "\(zlibFlags)")
        let sharing = Dictionary(grouping: zlib, by: \.offset).values.map(\.count).max()
        #expect(sharing == raw.zeroPages)
    }

    @Test(
        "a cut ELF dump: one line naming file and offset; --keep-going counts the missing pages",
        .executable
    )
    func truncatedELF() throws {
        let folder = try QEMUSamples.unpack()
        let elf = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/guest.elf"))
        let cut = try folder.write("cut.elf", Array(elf.prefix(40_000_000)))
        let stopped = try CommandRunner.run(["scan", cut])
        #expect(stopped.status == 1)
        #expect(stopped.stdout.isEmpty)
        #expect(stopped.stderr.hasPrefix("ksmscope: \(cut): offset "))
        #expect(stopped.stderr.contains("lies past the end of the file"))
        #expect(stopped.stderr.split(separator: "\n").count == 1)
        let kept = try CommandRunner.run(["scan", "--keep-going", "--format", "json", cut])
        #expect(kept.status == 0, "\(kept.stderr)")
        let report = try JSONDecoder().decode(ScanReport.self, from: Data(kept.stdout.utf8))
        let whole = try SteadyStateScan().run(paths: [folder.path + "/guest.elf"])
        #expect(report.unreadablePages > 0)
        #expect(report.pages + report.unreadablePages == whole.pages)
    }
}
