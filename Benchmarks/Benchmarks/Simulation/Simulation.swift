// The simulator's scale figure: KSMSimulator on 16 GiB of guests (BenchmarkFleet: 8 × 512 Ki
// pages = 4 Mi pages) for 20 full scans.
import Benchmark
import Foundation
import KSMScope

import BenchmarkFleet

private let stateBytesPerPage = BenchmarkMetric.custom("simulator state bytes per page", useScalingFactor: false)
private let nsPerPageVisit = BenchmarkMetric.custom("ns per page visit", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    for smartScan in [false, true] {
        Benchmark(
            "KSMSimulator 4 Mi pages x 20 full scans",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal, nsPerPageVisit, stateBytesPerPage],
                tags: ["smart_scan": smartScan ? "1" : "0"],
                warmupIterations: 0,
                maxDuration: .seconds(60),
                maxIterations: 3,
                thresholds: [.wallClock: .relaxed]
            ),
            closure: { benchmark in
                // Building the map (~39 MB of arrays: 4 B per page, 5 B per content) is not timed; it
                // is in the resident peak.
                let map = BenchmarkFleet.contents()
                let tunables = try SimulatorTunables(smartScan: smartScan)
                let clock = ContinuousClock()
                benchmark.startMeasurement()
                let start = clock.now
                var stateBytes = 0
                for _ in benchmark.scaledIterations {
                    // Resident growth from creating the simulator to the end of its scans: its own
                    // state, without the ContentMap (SimulatorScaleTests' "bytes/page").
                    let before = BenchmarkFleet.residentBytes()
                    var simulator = KSMSimulator(
                        contents: map, tunables: tunables, kernel: .v6_11, costs: .default)
                    simulator.runFullScans(20)
                    stateBytes = max(stateBytes, BenchmarkFleet.residentBytes() - before)
                    blackHole(simulator.sample)
                }
                let elapsed = start.duration(to: clock.now)
                benchmark.stopMeasurement()
                let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
                let visits = Double(map.layout.totalPages * 20 * benchmark.scaledIterations.count)
                benchmark.measurement(stateBytesPerPage, stateBytes / map.layout.totalPages)
                benchmark.measurement(nsPerPageVisit, Int((nanoseconds / visits).rounded()))
            }
        )
    }
}
