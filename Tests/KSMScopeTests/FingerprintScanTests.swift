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

    @Test("jobs of a partitioned run merge to the whole run")
    func jobsMerge() throws {
        let fixture = try fixture(seed: 11)
        let images = try ImagePaths.open(fixture.paths, pageSize: .default)
        let engine = FingerprintScan(configuration: .init(threads: 2), tunables: try KSMTunables(maxPageSharing: 4))
        let whole = try engine.run(images)
        var merged = SteadyStateTally(tunables: engine.tunables, imageCount: images.count)
        for index in 0..<5 { merged.merge(try engine.runJob(index: index, of: 5, inputs: images).tally) }
        #expect(merged == whole.tally)
        #expect(throws: PartitionError.badPartition(index: 5, count: 5)) { try engine.runJob(index: 5, of: 5, inputs: images) }
    }
}
