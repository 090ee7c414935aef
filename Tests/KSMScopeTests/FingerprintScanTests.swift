import Foundation
import Testing

@testable import KSMScope

/// The fingerprint engine against the byte-verified one: every partition count, spilled or in
/// memory, gives the same report; temporary files never outlive the scan.
@Suite("Fingerprint engine: partitions equal the in-memory scan")
struct FingerprintScanTests {
    let factory = PageFactory(pageSize: 4096)

    /// A set with chains, leftovers, self- and cross-sharing, zero and unique pages.
    func fixture(seed: UInt64 = 7) throws -> ScanFixture {
        let copies = [2, 3, 4, 5, 7, 9, 1, 1, 2, 12, 30, 2, 2, 6] + Array(repeating: 2, count: 60) + Array(repeating: 3, count: 40)
        return try ScanFixture(
            mixedImages(factory: factory, copies: copies, zeroPages: 40, uniquePages: 300, imageCount: 5, seed: seed))
    }

    /// `report` with the fields that name the engine set to the byte engine's.
    func normalized(_ report: ScanReport) -> ScanReport {
        var copy = report
        copy.equality = .bytes
        copy.hash = PageHashFunction.xxh64.name
        return copy
    }

    func scan(_ fixture: ScanFixture, configuration: ScanConfiguration, tunables: KSMTunables,
              domains: [(pattern: String, domain: String)]? = nil) throws -> ScanReport {
        try SteadyStateScan(configuration: configuration, tunables: tunables, domainRules: domains).run(paths: fixture.paths)
    }

    @Test("partition counts 1, 2, 7 and 64 (spilled) and in memory give the byte engine's report", arguments: [nil, 1, 2, 7, 64])
    func partitionCounts(partitions: Int?) throws {
        let fixture = try fixture()
        let temp = try TemporaryFolder()
        for (maxPageSharing, useZeroPages) in [(256, false), (3, false), (2, true), (5, true)] {
            let tunables = try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
            let domains = [(pattern: "guest-00[01].img", domain: "a")]
            let bytes = try scan(fixture, configuration: .init(threads: 2, engine: .bytes), tunables: tunables, domains: domains)
            #expect(bytes.equality == .bytes)
            #expect(fixture.reference(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages).differences(from: bytes).isEmpty)
            for threads in [1, 3] {
                let configuration = ScanConfiguration(
                    threads: threads, temporaryDirectory: temp.path, engine: .fingerprints, partitions: partitions)
                let fingerprints = try scan(fixture, configuration: configuration, tunables: tunables, domains: domains)
                #expect(fingerprints.equality == .fingerprint128)
                #expect(normalized(fingerprints) == bytes, "partitions \(partitions.map(String.init) ?? "auto"), \(threads) threads")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test("in memory, partitions of about 2,048 records (many more than the workers) give the byte engine's report")
    func manyPartitionsInMemory() throws {
        // 512-byte pages: 12,000 non-zero pages (6 partitions) in a few megabytes of images.
        let small = PageFactory(pageSize: 512)
        let copies = Array(repeating: 2, count: 1500) + Array(repeating: 3, count: 500) + [9, 40, 300]
        let fixture = try ScanFixture(
            mixedImages(factory: small, copies: copies, zeroPages: 200, uniquePages: 6000, imageCount: 6, seed: 5))
        let images = try ImagePaths.open(fixture.paths, pageSize: try PageSize(bytes: 512))
        for (maxPageSharing, useZeroPages) in [(256, false), (3, true)] {
            let tunables = try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
            let configuration = ScanConfiguration(pageSize: try PageSize(bytes: 512), threads: 2, engine: .fingerprints)
            let outcome = try FingerprintScan(configuration: configuration, tunables: tunables).run(images)
            #expect(outcome.partitions > 2)
            #expect(!outcome.spilled)
            let bytes = try fixture.scan(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: 512, threads: 2)
            let fingerprints = try SteadyStateScan(configuration: configuration, tunables: tunables).run(images)
            #expect(normalized(fingerprints) == bytes)
            #expect(fixture.reference(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: 512).differences(from: fingerprints).isEmpty)
        }
    }

    @Test("a small memory limit spills partitions by itself; the temporary folder is gone afterwards")
    func memoryLimitSpills() throws {
        let fixture = try fixture(seed: 3)
        let temp = try TemporaryFolder()
        let configuration = ScanConfiguration(threads: 2, memoryLimit: 4096, temporaryDirectory: temp.path)
        let images = try ImagePaths.open(fixture.paths, pageSize: .default)
        let job = SteadyStateScan(configuration: configuration)
        #expect(job.equality(for: images) == .fingerprint128)
        let outcome = try FingerprintScan(configuration: configuration, tunables: .defaults).run(images)
        #expect(outcome.spilled && outcome.partitions >= 2)
        #expect(normalized(try job.run(images)) == (try fixture.scan()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test("temporary files are removed when the scan fails")
    func cleanupOnFailure() throws {
        let fixture = try fixture(seed: 5)
        let temp = try TemporaryFolder()
        let images = try ImagePaths.open(fixture.paths, pageSize: .default)
        // The last image shrinks after it was opened: the pass fails when it reaches it.
        #expect(truncate(fixture.paths[4], 4096) == 0)
        let configuration = ScanConfiguration(threads: 2, temporaryDirectory: temp.path, engine: .fingerprints, partitions: 7)
        #expect(throws: ImageError.truncatedWhileReading(path: fixture.paths[4])) {
            _ = try SteadyStateScan(configuration: configuration).run(images)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test("a full file system for the partitions: one line naming the folder, nothing left", .root, .executable)
    func diskFull() throws {
        let disk = try SmallTmpfs(inodes: 64, megabytes: 1)
        let factory = PageFactory(pageSize: 512)
        // 60,000 unique pages: 1.4 MB of records, more than the 1 MiB file system holds.
        let fixture = try ScanFixture(mixedImages(factory: factory, copies: [], uniquePages: 60_000, imageCount: 2, seed: 1))
        let configuration = ScanConfiguration(
            pageSize: try PageSize(bytes: 512), threads: 2, temporaryDirectory: disk.path, engine: .fingerprints,
            partitions: 4)
        do {
            _ = try SteadyStateScan(configuration: configuration).run(paths: fixture.paths)
            Issue.record("the scan did not fail")
        } catch let error as PartitionError {
            guard case .diskFull(let path) = error else { throw error }
            #expect(path.hasPrefix(disk.path + "/ksmscope-"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).isEmpty)
        let outcome = try CommandRunner.run(
            ["scan", "--page-size", "512", "--engine", "fingerprints", "--partitions", "4", "--temp-dir", disk.path]
                + fixture.paths)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.hasPrefix("ksmscope: \(disk.path)/ksmscope-") && outcome.stderr.contains("no space left"))
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).isEmpty)
    }

    @Test("jobs of a partitioned run merge to the whole run")
    func jobsMerge() throws {
        let fixture = try fixture(seed: 11)
        let images = try ImagePaths.open(fixture.paths, pageSize: .default)
        let engine = FingerprintScan(configuration: .init(threads: 2), tunables: try KSMTunables(maxPageSharing: 4))
        let whole = try engine.run(images)
        var merged = SteadyStateTally(tunables: engine.tunables, imageCount: images.count)
        for index in 0..<5 {
            let job = try engine.runJob(index: index, of: 5, inputs: images).tally
            // Every job has its share of the contents (job 0 also the zero content).
            #expect(job.distinctContents > whole.tally.distinctContents / 10, "job \(index)")
            merged.merge(job)
        }
        #expect(merged == whole.tally)
        #expect(throws: PartitionError.badPartition(index: 5, count: 5)) { try engine.runJob(index: 5, of: 5, inputs: images) }
    }
}

/// Ctrl-C during a spilling scan: the temporary folder goes, the exit status says the signal.
@Suite("Fingerprint engine: interrupted scans leave no temporary files")
struct FingerprintInterruptTests {
    @Test("SIGINT while partitions are spilled: exit 130, the temporary folder removed", .executable)
    func interrupted() throws {
        let folder = try TemporaryFolder()
        let temp = folder.path + "/temp"
        try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: false)
        let image = folder.path + "/big.img"
        let made = try Shell.run("/bin/sh", ["-c", "head -c 256M /dev/urandom > '\(image)'"])
        try #require(made.status == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = ["scan", "--quiet", "--threads", "1", "--engine", "fingerprints", "--partitions", "8", "--temp-dir", temp, image]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the scan has made its folder and written partition files into it.
        var spilled = false
        for _ in 0..<2000 where process.isRunning {
            if let inside = try? FileManager.default.contentsOfDirectory(atPath: temp), let workspace = inside.first,
                let files = try? FileManager.default.contentsOfDirectory(atPath: temp + "/" + workspace), !files.isEmpty
            {
                spilled = true
                break
            }
            usleep(2_000)
        }
        try #require(spilled, "the scan ended before it spilled; make the image larger")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + SIGINT)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp).isEmpty)
    }
}

@Suite("Fingerprint engine: hash ranges")
struct PartitionRangeTests {
    @Test("partitions and job partitions split contents evenly and independently", arguments: [2, 7, 64])
    func balanced(count: Int) {
        var generator = SplitMix(state: UInt64(count))
        var partitions = [Int](repeating: 0, count: count)
        var jobs = [Int](repeating: 0, count: count)
        var both = [Int](repeating: 0, count: count)
        let samples = 20_000 * count
        for _ in 0..<samples {
            let fingerprint = PageFingerprint(xxh64: generator.next(), xxh3: generator.next())
            let partition = fingerprint.partition(of: count)
            let job = fingerprint.jobPartition(of: count)
            partitions[partition] += 1
            jobs[job] += 1
            if partition == job { both[partition] += 1 }
        }
        // Each range within 5 % of its share; a job's contents spread over all partitions.
        #expect(partitions.allSatisfy { abs($0 - 20_000) < 1_000 }, "\(partitions)")
        #expect(jobs.allSatisfy { abs($0 - 20_000) < 1_000 }, "\(jobs)")
        #expect(both.allSatisfy { $0 > 0 && $0 < 20_000 / count * 2 + 100 }, "\(both)")
    }
}
