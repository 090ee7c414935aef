import Foundation
import Testing

@testable import KSMScope

/// A guest image held in memory: what a test needs to scan generated fleets without files.
struct MemoryImage: PageSource {
    let path: String
    let pageSize: PageSize
    let pageCount: Int
    var ignoredBytes: Int { 0 }
    let bytes: [UInt8]

    init(path: String, pageSize: PageSize, bytes: [UInt8]) {
        self.path = path
        self.pageSize = pageSize
        self.bytes = bytes
        pageCount = bytes.count / pageSize.bytes
    }

    func makeReader() -> any PageReader { Reader(image: self) }

    final class Reader: PageReader {
        let image: MemoryImage
        init(image: MemoryImage) { self.image = image }
        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            image.bytes.withUnsafeBytes { all in
                UnsafeRawBufferPointer(rebasing: all[index * image.pageSize.bytes..<(index + 1) * image.pageSize.bytes])
            }
        }
        var contiguousPages: UnsafeRawBufferPointer? { image.bytes.withUnsafeBytes { $0 } }
    }
}

/// Content-based sampling (`--sample 1/N`): the interval covers the exact saving.
@Suite("Sampling: the 95% interval covers the exact saving")
struct SamplingTests {
    /// The guests of `plan` filled in memory.
    static func images(_ plan: FleetPlan) -> [MemoryImage] {
        let filler = PageFiller(pageSize: plan.pageSize, seed: plan.seed)
        let size = try! PageSize(bytes: plan.pageSize)
        return plan.guests.map { guest in
            var bytes = [UInt8](repeating: 0, count: guest.pageCount * plan.pageSize)
            bytes.withUnsafeMutableBytes { buffer in
                for page in 0..<guest.pageCount {
                    filler.fill(buffer.baseAddress! + page * plan.pageSize, with: guest.content(physical: page))
                }
            }
            return MemoryImage(path: guest.name, pageSize: size, bytes: bytes)
        }
    }

    @Test("generated fleets, seeds 1 to 100: the exact saving lies in the interval at least 93 times")
    func coverage() throws {
        let spec = try featureSpec(count: 3)
        var covered = 0
        var misses: [String] = []
        for seed in UInt64(1)...100 {
            let plan = try FleetPlan(spec: spec, seed: seed, scale: 0.5)
            let images = Self.images(plan)
            let exact = try SteadyStateScan(configuration: .init(threads: 2)).run(images)
            var configuration = ScanConfiguration(threads: 2)
            configuration.sample = try SampleRate(parsing: "1/4")
            let sampled = try SteadyStateScan(configuration: configuration).run(images)
            let estimate = try #require(sampled.sample)
            #expect(estimate.every == 4 && sampled.zeroPages == exact.zeroPages)
            #expect(estimate.savedBytesLow <= estimate.savedBytes && estimate.savedBytes <= estimate.savedBytesHigh)
            if estimate.savedBytesLow <= exact.savedBytes, exact.savedBytes <= estimate.savedBytesHigh {
                covered += 1
            } else {
                misses.append("seed \(seed): exact \(exact.savedBytes), interval \(estimate.savedBytesLow)...\(estimate.savedBytesHigh)")
            }
        }
        #expect(covered >= 93, "\(misses)")
    }

    @Test("the sample keeps every copy of a sampled content and nothing else; 1/1 is the exact scan")
    func slices() throws {
        let plan = try FleetPlan(spec: try featureSpec(count: 2), seed: 3, scale: 0.5)
        let images = Self.images(plan)
        let exact = try SteadyStateScan(configuration: .init(threads: 2)).run(images)
        var configuration = ScanConfiguration(threads: 2)
        configuration.sample = .all
        #expect(try SteadyStateScan(configuration: configuration).run(images) == exact)
        // Byte and fingerprint engines sample the same slice.
        configuration.sample = try SampleRate(parsing: "1/4")
        let bytes = try SteadyStateScan(configuration: configuration).run(images)
        configuration.engine = .fingerprints
        var fingerprints = try SteadyStateScan(configuration: configuration).run(images)
        fingerprints.equality = bytes.equality
        fingerprints.hash = bytes.hash
        #expect(fingerprints == bytes)
        #expect(bytes.distinctContents < exact.distinctContents / 2)
        #expect(throws: SampleRateError.invalid("2/8")) { try SampleRate(parsing: "2/8") }
        #expect(throws: SampleRateError.invalid("1/0")) { try SampleRate(parsing: "1/0") }
    }
}
