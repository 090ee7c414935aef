import Testing

@testable import KSMScope

/// Regions split by merging, against a count made page by page from the brute-force replay of
/// ksmd's merging.
@Suite("Transparent huge page regions split by KSM")
struct HugePageReportTests {
    /// The reference: which copies merge (``BruteForceKSM/replay(_:)``, or every zero page with
    /// use_zero_pages), then regions and the trade-off counted directly.
    struct Reference {
        var regions: [Int] = []
        var split: [Int] = []
        var tradeoff: [(split: Int, savedPages: Int)] = []
    }

    static func reference(_ images: [[UInt8]], pageSize: Int, regionPages: Int, maxPageSharing: Int, useZeroPages: Bool)
        -> Reference
    {
        let ksm = BruteForceKSM(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: pageSize)
        let zero = [UInt8](repeating: 0, count: pageSize)
        func page(_ image: Int, _ index: Int) -> [UInt8] {
            Array(images[image][index * pageSize..<(index + 1) * pageSize])
        }
        /// Pages saved merging `copies` (scan order) of each content.
        func saved(_ copies: [[UInt8]: [(Int, Int)]]) -> Int {
            copies.reduce(0) { total, entry in
                if entry.key == zero && useZeroPages { return total + entry.value.count }
                return total + ksm.replay(entry.value.count).ksmPages.reduce(0) { $0 + $1 - 1 }
            }
        }
        // Every content's copies in scan order.
        var copies: [[UInt8]: [(Int, Int)]] = [:]
        for image in images.indices {
            for index in 0..<images[image].count / pageSize { copies[page(image, index), default: []].append((image, index)) }
        }
        var merged = images.map { Array(repeating: false, count: $0.count / pageSize) }
        for (content, list) in copies {
            let flags =
                content == zero && useZeroPages ? Array(repeating: true, count: list.count) : ksm.replay(list.count).merged
            for (copy, (image, index)) in list.enumerated() where flags[copy] { merged[image][index] = true }
        }
        var result = Reference()
        var mergedPerRegion: [[Int]] = []
        for image in images.indices {
            let count = merged[image].count / regionPages
            let perRegion = (0..<count).map { region in
                merged[image][region * regionPages..<(region + 1) * regionPages].filter { $0 }.count
            }
            mergedPerRegion.append(perRegion)
            result.regions.append(count)
            result.split.append(perRegion.filter { $0 > 0 }.count)
        }
        for percent in HugePageReport.thresholds {
            var eligible: [[UInt8]: [(Int, Int)]] = [:]
            var split = 0
            for image in images.indices {
                let qualifies = mergedPerRegion[image].map { $0 > 0 && $0 * 100 >= percent * regionPages }
                split += qualifies.filter { $0 }.count
                for index in 0..<merged[image].count {
                    let region = index / regionPages
                    if region >= qualifies.count || qualifies[region] {
                        eligible[page(image, index), default: []].append((image, index))
                    }
                }
            }
            result.tradeoff.append((split, saved(eligible)))
        }
        return result
    }

    @Test("regions_split and the trade-off equal a page-by-page count", arguments: [2, 3, 256], [false, true])
    func againstReference(maxPageSharing: Int, useZeroPages: Bool) throws {
        let pageSize = 512
        let regionPages = 8
        let factory = PageFactory(pageSize: pageSize)
        let images = mixedImages(
            factory: factory, copies: [2, 2, 3, 3, 4, 5, 7, 9, 13, 40], zeroPages: 30, uniquePages: 600, imageCount: 4,
            seed: UInt64(maxPageSharing) * 7 + (useZeroPages ? 1 : 0))
        let fixture = try ScanFixture(images)
        let map = try CapacityPlanningTests.contents(fixture, pageSize: pageSize)
        let tunables = try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        let tally = try PlanTally.of(map, tunables: tunables, pageSize: pageSize, regionBytes: regionPages * pageSize)
        let report = HugePageReport(tally: tally, paths: fixture.paths, pageSize: pageSize)
        let expected = Self.reference(
            images, pageSize: pageSize, regionPages: regionPages, maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        #expect(report.images.map(\.regions) == expected.regions)
        #expect(report.images.map(\.regionsSplit) == expected.split)
        #expect(report.regionsSplit == expected.split.reduce(0, +))
        #expect(report.regions == expected.regions.reduce(0, +))
        #expect(report.regions > 0 && report.regionsSplit > 0 && report.regionsSplit < report.regions)
        #expect(report.tradeoff.map(\.minMergedPercent) == HugePageReport.thresholds)
        #expect(report.tradeoff.map(\.regionsSplit) == expected.tradeoff.map(\.split))
        #expect(report.tradeoff.map(\.savedBytes) == expected.tradeoff.map { $0.savedPages * pageSize })
    }

    @Test("the trade-off never splits more or saves more at a higher threshold", arguments: [1, 2, 3])
    func monotonic(seed: UInt64) throws {
        let pageSize = 4096
        let factory = PageFactory(pageSize: pageSize)
        // Three guests of a bit over 3 regions of 2 MiB each.
        var images = mixedImages(
            factory: factory, copies: Array(repeating: 3, count: 300) + [50, 80], zeroPages: 400, uniquePages: 1800,
            imageCount: 3, seed: seed)
        images = images.map { $0 + factory.page(999_000 + seed) }
        let fixture = try ScanFixture(images)
        let map = try CapacityPlanningTests.contents(fixture)
        let report = HugePageReport(tally: try PlanTally.of(map), paths: fixture.paths, pageSize: pageSize)
        #expect(report.regions > 3)
        let scan = try fixture.scan()
        #expect(report.tradeoff[0].savedBytes <= scan.savedBytes)
        #expect(report.tradeoff[0].regionsSplit <= report.regionsSplit)
        for (lower, higher) in zip(report.tradeoff, report.tradeoff.dropFirst()) {
            #expect(higher.regionsSplit <= lower.regionsSplit)
            #expect(higher.savedBytes <= lower.savedBytes)
        }
        #expect(report.tradeoff[0].savedBytes > report.tradeoff[4].savedBytes)
    }

    @Test("with pages of 2 MiB or more there are no regions, and every page may merge")
    func largePages() throws {
        let factory = PageFactory(pageSize: 4096)
        let fixture = try ScanFixture([factory.image([factory.page(1), factory.page(1), factory.page(2)])])
        let map = try CapacityPlanningTests.contents(fixture)
        let report = HugePageReport(tally: try PlanTally.of(map, regionBytes: 2048), paths: fixture.paths, pageSize: 4096)
        #expect(report.regions == 0 && report.regionsSplit == 0)
        #expect(report.tradeoff.allSatisfy { $0.savedBytes == 4096 && $0.regionsSplit == 0 })
    }
}
