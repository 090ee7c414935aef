import Foundation
import Testing

@testable import KSMScope

/// Fingerprint files: written from every kind of input, read wherever images are, with the
/// same results; damaged or mismatched files refused with one line.
@Suite("Fingerprint files: round trips, inputs everywhere, bad files")
struct FingerprintTests {
    let factory = PageFactory(pageSize: 4096)

    /// Fingerprints `paths` into `folder` and returns the fingerprint files, in order.
    func fingerprint(_ paths: [String], into folder: String, configuration: ScanConfiguration = .init(threads: 2))
        throws -> [String]
    {
        let images = try ImagePaths.open(paths, pageSize: configuration.pageSize)
        let writer = FingerprintWriter(configuration: configuration)
        return try images.map { image in
            let path = folder + "/" + FingerprintWriter.fileName(for: image)
            try writer.write(image, to: path)
            return path
        }
    }

    /// `report` with the paths and engine fields of `reference`.
    func aligned(_ report: ScanReport, to reference: ScanReport) -> ScanReport {
        var copy = report
        copy.equality = reference.equality
        copy.hash = reference.hash
        for index in copy.images.indices where index < reference.images.count {
            copy.images[index].path = reference.images[index].path
        }
        return copy
    }

    @Test("raw, ELF, kdump and LiME dumps: the fingerprint scans and simulates as the dump does")
    func roundTripFormats() throws {
        let guest = GuestFixture.mixed()
        let folder = try TemporaryFolder()
        let files = [
            try folder.write("guest.raw", guest.raw), try folder.write("guest.elf", DumpWriter.elf(guest)),
            try folder.write("guest.kdump", DumpWriter.kdump(guest)), try folder.write("guest.lime", DumpWriter.lime(guest)),
            try folder.write("other.raw", factory.image([factory.page(1), factory.page(2), factory.page(0)] + guest.pages)),
        ]
        let out = folder.path + "/fp"
        try FingerprintWriter.prepareFolder(out)
        let prints = try fingerprint(files, into: out)
        for (file, print) in zip(files, prints) {
            let image = try #require(try ImageFormat.open(print, pageSize: .default) as? FingerprintImage)
            let source = try ImageFormat.open(file, pageSize: .default)
            #expect(image.pageCount == source.pageCount && image.ignoredBytes == source.ignoredBytes)
            #expect(image.header.source == file)
        }
        let fromImages = try SteadyStateScan(configuration: .init(threads: 2)).run(paths: files)
        let fromPrints = try SteadyStateScan(configuration: .init(threads: 2)).run(paths: prints)
        #expect(fromPrints.equality == .fingerprint128 && fromImages.equality == .bytes)
        #expect(aligned(fromPrints, to: fromImages) == fromImages)
        // Mixed: fingerprints of some, images of the others.
        let mixed = try SteadyStateScan(configuration: .init(threads: 2)).run(paths: [prints[0], files[1], prints[2], files[3], prints[4]])
        #expect(aligned(mixed, to: fromImages) == fromImages)
        // simulate: the content map from fingerprints equals the one from the images.
        let map = try ContentMap.build(try ImagePaths.open(files, pageSize: .default))
        let printed = try ContentMap.build(try ImagePaths.open(prints, pageSize: .default))
        #expect(printed.contentOfPage == map.contentOfPage && printed.checksum == map.checksum && printed.isZero == map.isZero)
    }

    @Test("a fingerprint's records are the pages' XXH64 and XXH3-64 in page order, zero pages as runs")
    func recordsAreHashes() throws {
        let pages = [factory.page(0), factory.page(0), factory.page(3), factory.page(0), factory.page(3), factory.page(9)]
        let folder = try TemporaryFolder()
        let file = try folder.write("g.img", factory.image(pages))
        let print = try fingerprint([file], into: folder.path)[0]
        let image = try FingerprintImage(path: print, pageSize: .default)
        #expect(image.zeroRuns == [0..<2, 3..<4])
        let expected = pages.filter { $0 != factory.page(0) }.map { page in page.withUnsafeBytes { PageFingerprint(page: $0) } }
        #expect(Array(image.records) == expected)
        #expect(image.records[0].checksum == UInt32(truncatingIfNeeded: pages[2].withUnsafeBytes { PageHashFunction.xxh64($0) }))
        // 96-byte header + "path" rounded to 16, 16 bytes a record and a run.
        let size = try FileManager.default.attributesOfItem(atPath: print)[.size] as? Int
        #expect(size == image.header.size + 3 * 16 + 2 * 16)
    }

    @Test("truncated, corrupt, other page size, version or hash: one line naming the file", .executable)
    func badFiles() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("g.img", factory.image((1...64).map { factory.page(UInt64($0 % 9)) }))
        let print = try fingerprint([file], into: folder.path)[0]
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: print)))
        func variant(_ name: String, _ change: (inout [UInt8]) -> Void) throws -> String {
            var bytes = good
            change(&bytes)
            return try folder.write(name, bytes)
        }
        let truncated = try variant("truncated.ksmfp") { $0.removeLast(20) }
        #expect(throws: FingerprintError.truncated(path: truncated, bytes: good.count - 20, expected: good.count)) {
            _ = try ImageFormat.open(truncated, pageSize: .default)
        }
        let corrupt = try variant("corrupt.ksmfp") { $0[$0.count - 40] ^= 1 }
        #expect(throws: FingerprintError.corrupt(path: corrupt)) { _ = try ImageFormat.open(corrupt, pageSize: .default) }
        #expect(throws: FingerprintError.pageSizeMismatch(path: print, file: 4096, scan: 8192)) {
            _ = try ImageFormat.open(print, pageSize: try PageSize(bytes: 8192))
        }
        let version = try variant("version.ksmfp") { $0[8] = 2 }
        #expect(throws: FingerprintError.unsupportedVersion(path: version, version: 2)) {
            _ = try ImageFormat.open(version, pageSize: .default)
        }
        let hash = try variant("hash.ksmfp") { $0[20] = 7 }
        #expect(throws: FingerprintError.unsupportedHash(path: hash, hash: 7)) { _ = try ImageFormat.open(hash, pageSize: .default) }
        let header = try variant("header.ksmfp") { $0.removeLast($0.count - 50) }
        #expect(throws: FingerprintError.truncated(path: header, bytes: 50, expected: 96)) {
            _ = try ImageFormat.open(header, pageSize: .default)
        }
        let counts = try variant("counts.ksmfp") { $0[24] &+= 1 }
        #expect(throws: (any Error).self) { _ = try ImageFormat.open(counts, pageSize: .default) }
        // The command line gives one line and exit 1 for each.
        for (path, words) in [(truncated, "truncated"), (corrupt, "corrupt"), (version, "version 2"), (hash, "hash id 7")] {
            let outcome = try CommandRunner.run(["scan", path])
            #expect(outcome.status == 1)
            #expect(outcome.stderr.hasPrefix("ksmscope: \(path): ") && outcome.stderr.contains(words))
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        }
        let other = try CommandRunner.run(["scan", "--page-size", "8192", print])
        #expect(other.status == 1 && other.stderr.contains("4096-byte pages"))
    }

    @Test("sampled fingerprints keep the slice; simulate refuses them")
    func sampled() throws {
        let folder = try TemporaryFolder()
        let fixture = try ScanFixture(mixedImages(factory: factory, copies: Array(repeating: 3, count: 400), zeroPages: 50, uniquePages: 200, imageCount: 3, seed: 4))
        let paths = fixture.paths
        var configuration = ScanConfiguration(threads: 2)
        configuration.sample = try SampleRate(parsing: "1/4")
        let prints = try fingerprint(paths, into: folder.path, configuration: configuration)
        let image = try FingerprintImage(path: prints[0], pageSize: .default)
        #expect(image.header.sampleEvery == 4 && image.records.allSatisfy { $0.isSampled(every: 4) })
        let fromPrints = try SteadyStateScan().run(paths: prints)
        let fromImages = try SteadyStateScan(configuration: configuration).run(paths: paths)
        #expect(fromPrints.sample == fromImages.sample && fromPrints.sample?.every == 4)
        #expect(aligned(fromPrints, to: fromImages) == fromImages)
        #expect(throws: FingerprintError.noPageOrder(path: prints[0], reason: "sampled 1/4")) {
            _ = try ContentMap.build(try ImagePaths.open(prints, pageSize: .default))
        }
    }

    @Test("ksmscope fingerprint, scan and simulate on the command line; partition jobs combine to the scan", .executable)
    func commandLine() throws {
        let folder = try TemporaryFolder()
        let fixture = try ScanFixture(mixedImages(factory: factory, copies: [2, 3, 300, 5] + Array(repeating: 2, count: 50), zeroPages: 30, uniquePages: 100, imageCount: 4, seed: 9))
        let out = folder.path + "/prints"
        let written = try CommandRunner.run(["fingerprint", "--out", out, "--rate-limit", "1000", "--quiet"] + fixture.paths)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.split(separator: "\n").count == 4)
        let images = try CommandRunner.run(["scan", "--format", "json", "--max-page-sharing", "3"] + fixture.paths)
        let prints = try CommandRunner.run(["scan", "--format", "json", "--max-page-sharing", "3", out])
        #expect(images.status == 0 && prints.status == 0)
        let a = try JSONDecoder().decode(ScanReport.self, from: Data(images.stdout.utf8))
        let b = try JSONDecoder().decode(ScanReport.self, from: Data(prints.stdout.utf8))
        #expect(aligned(b, to: a) == a)
        #expect(prints.stdout.contains("\"equality\" : \"fingerprint-128\""))
        var results: [String] = []
        for index in 0..<3 {
            let result = folder.path + "/part-\(index).json"
            let job = try CommandRunner.run(
                ["partition", "--index", "\(index)", "--count", "3", "--out", result, "--max-page-sharing", "3", out])
            #expect(job.status == 0, "\(job.stderr)")
            results.append(result)
        }
        let combined = try CommandRunner.run(["combine", "--format", "json"] + results)
        #expect(combined.status == 0 && combined.stdout == prints.stdout)
        let missing = try CommandRunner.run(["combine"] + results.dropLast())
        #expect(missing.status == 1 && missing.stderr == "ksmscope: partition(s) 2 of 3 have no result\n")
        let simulated = try CommandRunner.run(["simulate", "--format", "json", "--full-scans", "4", out])
        let reference = try CommandRunner.run(["simulate", "--format", "json", "--full-scans", "4"] + fixture.paths)
        #expect(simulated.status == 0 && reference.status == 0)
        let strip = { (text: String) in text.split(separator: "\n").filter { !$0.contains("\"path\"") && !$0.contains("\"name\"") && !$0.contains(".img") } }
        #expect(strip(simulated.stdout) == strip(reference.stdout))
        let verify = try CommandRunner.run(["verify-kernel", out])
        #expect(verify.status == 1 && verify.stderr.contains("a fingerprint file holds no page contents; verify-kernel needs"))
    }
}

/// A live process's fingerprint: page holders register memory with KSM, so this runs inside the
/// serialized real-kernel suite, as root.
extension KernelVerificationTests {
    @Suite("fingerprints of live processes")
    struct FingerprintLiveTests {
        @Test(
            "fingerprint --pid of a page holder scans as a raw file of the same bytes",
            .executable, .kernel)
        func livePageHolder() throws {
            let factory = PageFactory(pageSize: 4096)
            let bytes = mixedImages(
                factory: factory, copies: [2, 3, 7, 300], zeroPages: 100, uniquePages: 50, imageCount: 1, seed: 12)[0]
            let fixture = try ScanFixture([bytes])
            let folder = try TemporaryFolder()
            let lock = try KSMDriverLock()
            let holder = try bytes.withUnsafeBytes { try PageHolder(path: "held", bytes: $0) }
            defer { holder.end(); withExtendedLifetime(lock) {} }
            let written = try CommandRunner.run(
                ["fingerprint", "--pid", "\(holder.pid)", "--mergeable-only", "--out", folder.path, "--quiet"])
            try #require(written.status == 0, "\(written.stderr)")
            let print = folder.path + "/pid-\(holder.pid).ksmfp"
            let image = try FingerprintImage(path: print, pageSize: .default)
            #expect(image.header.live && image.header.source == "pid:\(holder.pid)")
            let fromPrint = try SteadyStateScan().run(paths: [print])
            let fromFile = try SteadyStateScan().run(paths: fixture.paths)
            #expect(fromPrint.pages == bytes.count / 4096)
            #expect(fromPrint.pagesSharing == fromFile.pagesSharing && fromPrint.distinctContents == fromFile.distinctContents)
            #expect(fromPrint.images[0].ksmMergingPages == fromFile.images[0].ksmMergingPages)
            #expect(fromPrint.zeroPages == fromFile.zeroPages && fromPrint.pagesShared == fromFile.pagesShared)
        }
    }
}
