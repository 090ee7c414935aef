import Foundation
import Testing

@testable import KSMScope

/// Scans `paths` with two threads (optionally opening them with keep-going).
func scanReport(_ paths: [String], pageSize: Int = 4096, keepGoing: Bool = false) throws -> ScanReport {
    let configuration = ScanConfiguration(pageSize: try PageSize(bytes: pageSize), threads: 2, keepGoing: keepGoing)
    let images = try ImagePaths.open(paths, pageSize: configuration.pageSize, keepGoing: keepGoing)
    return try SteadyStateScan(configuration: configuration).run(images)
}

/// The report with paths and ignored bytes blanked, which differ between formats of one guest.
func normalized(_ report: ScanReport) -> ScanReport {
    var report = report
    report.ignoredBytes = 0
    for index in report.images.indices {
        report.images[index].path = ""
        report.images[index].ignoredBytes = 0
    }
    return report
}

@Suite("Dump formats give the scan of the same raw pages")
struct FormatEquivalenceTests {
    let guest = GuestFixture.mixed()

    @Test("ELF cores, LiME and kdump (plain, flattened, every compression) scan like the raw pages")
    func sameAsRaw() throws {
        let folder = try TemporaryFolder()
        let raw = try scanReport([try folder.write("guest.raw", guest.raw)])
        #expect(raw.pages == guest.frames.count)
        var variants: [(String, [UInt8], Int)] = [
            ("elf", DumpWriter.elf(guest), DumpWriter.partialHead + DumpWriter.partialTail),
            (
                "elf-aligned",
                DumpWriter.elf(
                    guest, .init(firstDataOffset: 8192, alias: false, memoryBeyondFile: 0, partialEdges: false)), 0
            ),
            ("elf-be", DumpWriter.elf(guest, .init(bigEndian: true)), 150),
            ("elf32", DumpWriter.elf(guest, .init(class32: true)), 150),
            ("elf-pn-xnum", DumpWriter.elf(guest, .init(extendedCount: true)), 150),
            ("lime", DumpWriter.lime(guest), 150),
            ("lime-aligned", DumpWriter.lime(guest, partialEdges: false), 0),
            ("kdump", DumpWriter.kdump(guest), 0),
            ("kdump-flat", DumpWriter.kdump(guest, .init(flattened: true)), 0),
            ("kdump-be", DumpWriter.kdump(guest, .init(bigEndian: true)), 0),
            ("kdump-flat-be", DumpWriter.kdump(guest, .init(flattened: true, bigEndian: true)), 0),
            ("kdump-no-zero-block", DumpWriter.kdump(guest, .init(sharedZeroBlock: false)), 0),
            ("kdump-stored", DumpWriter.kdump(guest, .init(compressions: [nil])), 0),
        ]
        for version: Int32 in 1...5 {
            variants.append(("kdump-v\(version)", DumpWriter.kdump(guest, .init(version: version)), 0))
        }
        for method in PageCompression.allCases {
            variants.append(("kdump-\(method.name)", DumpWriter.kdump(guest, .init(compressions: [method])), 0))
            variants.append(
                (
                    "kdump-flat-\(method.name)",
                    DumpWriter.kdump(guest, .init(compressions: [method], flattened: true)), 0
                ))
        }
        for (name, bytes, ignored) in variants {
            let report = try scanReport([try folder.write(name, bytes)])
            #expect(normalized(report) == normalized(raw), "\(name)")
            #expect(report.ignoredBytes == ignored, "\(name)")
            #expect(report.unreadablePages == 0, "\(name)")
        }
    }

    @Test("the kdump fixture really uses every compression, stored pages and the shared zero block")
    func fixtureCoverage() {
        let (_, layout) = DumpWriter.kdumpWithLayout(guest)
        let used = Set(layout.compressions.map { $0?.rawValue ?? 0 })
        #expect(used == [0, 0x1, 0x2, 0x4, 0x20])
        #expect(
            layout.dataOffsets.filter { $0 == layout.dataStart }.count
                == guest.pages.filter { $0.allSatisfy { $0 == 0 } }.count)
    }

    @Test("frames excluded from the 2nd bitmap are not pages")
    func excludedFrames() throws {
        let folder = try TemporaryFolder()
        let excluded: Set<UInt64> = [0, 5, 20, 79]
        let raw = try scanReport([try folder.write("guest.raw", guest.removing(excluded).raw)])
        for flattened in [false, true] {
            let dump = DumpWriter.kdump(guest, .init(excluded: excluded, flattened: flattened))
            let report = try scanReport([try folder.write("guest.kdump", dump)])
            #expect(normalized(report) == normalized(raw))
            #expect(report.pages == guest.frames.count - excluded.count)
        }
    }

    @Test("images of different formats scan together like their raw pages")
    func mixedFormats() throws {
        let folder = try TemporaryFolder()
        let guests = (1...3).map { GuestFixture.mixed(seed: UInt64($0)) }
        let raws = try guests.enumerated().map { try folder.write("raw-\($0.offset)", $0.element.raw) }
        let dumps = [
            try folder.write("a.elf", DumpWriter.elf(guests[0])),
            try folder.write("b.kdump", DumpWriter.kdump(guests[1], .init(flattened: true))),
            try folder.write("c.lime", DumpWriter.lime(guests[2])),
        ]
        #expect(normalized(try scanReport(dumps)) == normalized(try scanReport(raws)))
    }

    @Test("512-byte pages", arguments: [512, 16384])
    func otherPageSizes(pageSize: Int) throws {
        let folder = try TemporaryFolder()
        let small = GuestFixture.mixed(pageSize: pageSize)
        let raw = try scanReport([try folder.write("guest.raw", small.raw)], pageSize: pageSize)
        for (name, bytes) in [
            ("elf", DumpWriter.elf(small)), ("lime", DumpWriter.lime(small)),
            ("kdump", DumpWriter.kdump(small)), ("flat", DumpWriter.kdump(small, .init(flattened: true))),
        ] {
            let report = try scanReport([try folder.write(name, bytes)], pageSize: pageSize)
            #expect(normalized(report) == normalized(raw), "\(name)")
        }
    }

    @Test("more than 0xFFFF program headers: the count comes from section header 0")
    func manyProgramHeaders() throws {
        let folder = try TemporaryFolder()
        let bytes = DumpWriter.elf(guest, .init(extendedCount: true, emptyLoads: 70_000))
        let path = try folder.write("many.elf", bytes)
        let image = try ElfCoreImage(path: path, pageSize: .default)
        #expect(image.pageCount == guest.frames.count)
        #expect(normalized(try scanReport([path])) == normalized(try scanReport([try folder.write("raw", guest.raw)])))
    }

    @Test("ELF and LiME pages are read in place, kdump zero pages without decompressing")
    func zeroCopy() throws {
        let folder = try TemporaryFolder()
        let elf = try ElfCoreImage(path: try folder.write("g.elf", DumpWriter.elf(guest)), pageSize: .default)
        let reader = elf.makeReader()
        #expect(try reader.page(0).baseAddress == elf.file.bytes.baseAddress! + 0x498)
        #expect(Array(try reader.page(5)) == guest.pages[5])

        let kdump = try KdumpImage(
            path: try folder.write("g.kdump", DumpWriter.kdump(guest, .init(compressions: [nil]))), pageSize: .default)
        #expect(kdump.zeroBlock == kdump.dataStart)
        let pages = kdump.makeReader()
        let zeros = guest.pages.indices.filter { guest.pages[$0].allSatisfy { $0 == 0 } }
        let zeroAddress = try pages.page(zeros[0]).baseAddress
        #expect(try pages.page(zeros[1]).baseAddress == zeroAddress)  // the reader's static zero page
        let stored = try pages.page(1)
        #expect(
            stored.baseAddress! >= kdump.file.bytes.baseAddress!
                && stored.baseAddress! < kdump.file.bytes.baseAddress! + kdump.file.bytes.count)
        #expect(Array(stored) == guest.pages[1])
    }
}

@Suite("Format detection")
struct FormatDetectionTests {
    @Test("signatures select formats; anything else is raw")
    func signatures() {
        let cases: [([UInt8], ImageFormat)] = [
            ([0x7F, 0x45, 0x4C, 0x46, 2, 1], .elfCore),
            (Array("KDUMP   ".utf8) + [6, 0, 0, 0], .kdump),
            (Array("DISKDUMP".utf8), .kdump),
            (Array("makedumpfile".utf8) + [0, 0, 0, 0], .flattenedKdump),
            ([0x45, 0x4D, 0x69, 0x4C, 1, 0, 0, 0], .lime),
            (Array("makedumpfileX".utf8), .raw),
            (Array("KDUMP  ".utf8), .raw),
            ([0x7F, 0x45, 0x4C], .raw),
            ([], .raw),
            ([UInt8](repeating: 0, count: 4096), .raw),
        ]
        for (bytes, format) in cases {
            #expect(bytes.withUnsafeBytes { ImageFormat.detect($0) } == format, "\(bytes.prefix(16))")
        }
    }

    @Test("detection looks at the content, not the name")
    func contentNotName() throws {
        let folder = try TemporaryFolder()
        let guest = GuestFixture.mixed()
        let elfNamedRaw = try folder.write("guest.raw", DumpWriter.elf(guest))
        let rawNamedElf = try folder.write("guest.elf", guest.raw)
        let images = try ImagePaths.open([elfNamedRaw, rawNamedElf], pageSize: .default)
        #expect(images[0] is ElfCoreImage)
        #expect(images[1] is RawImage)
    }
}
