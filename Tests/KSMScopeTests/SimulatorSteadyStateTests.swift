import Testing

@testable import KSMScope

/// The simulator against the converged model (`SteadyStateScan`, itself checked against the
/// real kernel): on static content, once ksmd has converged, every counter agrees.
@Suite("KSMSimulator converges to SteadyStateScan")
struct SimulatorSteadyStateTests {
    static let copiesAround4 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 17]
    static let copiesAround256 = [1, 2, 255, 256, 257, 258, 511, 512, 513]

    @Test("generated image sets, copies around max_page_sharing", arguments: [4, 256], [false, true])
    func matchesSteadyState(maxPageSharing: Int, useZeroPages: Bool) throws {
        let factory = PageFactory(pageSize: 512)
        let copies = maxPageSharing == 4 ? Self.copiesAround4 : Self.copiesAround256
        for seed: UInt64 in [1, 2, 3] {
            let images = mixedImages(
                factory: factory, copies: copies, zeroPages: maxPageSharing == 4 ? 9 : 257, uniquePages: 25,
                imageCount: maxPageSharing == 4 ? 3 : 4, seed: seed)
            let fixture = try ScanFixture(images)
            let expected = try fixture.scan(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: 512)
            let pageSize = try PageSize(bytes: 512)
            let contents = try ContentMap.build(
                try ImagePaths.open(fixture.paths, pageSize: pageSize),
                configuration: ScanConfiguration(pageSize: pageSize, threads: 2))
            for kernel in KernelVersion.allCases {
                for smartScan in [true, false] {
                    let tunables = try SimulatorTunables(
                        pagesToScan: 25, maxPageSharing: maxPageSharing, useZeroPages: useZeroPages,
                        smartScan: smartScan)
                    var simulator = KSMSimulator(contents: contents, tunables: tunables, kernel: kernel, pageSize: 512)
                    let context = "seed \(seed) kernel \(kernel) smart_scan \(smartScan)"
                    simulator.runFullScans(4)
                    #expect(
                        Self.differences(simulator, expected).isEmpty,
                        "\(context): \(Self.differences(simulator, expected))")
                    // Converged means it stays so (chains pruned, smart scan skipping).
                    simulator.runFullScans(30)
                    #expect(
                        Self.differences(simulator, expected).isEmpty,
                        "\(context), 34 scans: \(Self.differences(simulator, expected))")
                    #expect(simulator.seconds > 2, "chain pruning (every 2 s) had its chance")
                }
            }
        }
    }

    /// The fields in which the simulator differs from the scan.
    static func differences(_ simulator: KSMSimulator, _ report: ScanReport) -> [String] {
        var out: [String] = []
        func check(_ name: String, _ mine: Int, _ theirs: Int) {
            if mine != theirs { out.append("\(name): simulated \(mine), scan \(theirs)") }
        }
        let sample = simulator.sample
        check("pages_shared", sample.pagesShared, report.pagesShared)
        check("pages_sharing", sample.pagesSharing, report.pagesSharing)
        check("ksm_zero_pages", sample.ksmZeroPages, report.ksmZeroPages)
        check("stable_node_chains", sample.stableNodeChains, report.stableNodeChains)
        check("stable_node_dups", sample.stableNodeDups, report.stableNodeDups)
        check("general_profit", sample.generalProfit, report.generalProfit)
        check(
            "rmap_items", sample.pagesShared + sample.pagesSharing + sample.pagesUnshared + sample.pagesVolatile,
            report.rmapItems)
        for (index, (mine, theirs)) in zip(simulator.processStats, report.images).enumerated() {
            check("images[\(index)].ksm_rmap_items", mine.ksmRmapItems, theirs.ksmRmapItems)
            check("images[\(index)].ksm_merging_pages", mine.ksmMergingPages, theirs.ksmMergingPages)
            check("images[\(index)].ksm_zero_pages", mine.ksmZeroPages, theirs.ksmZeroPages)
            check("images[\(index)].ksm_process_profit", mine.ksmProcessProfit, theirs.ksmProcessProfit)
        }
        return out
    }
}
