// The time of a `tune` sweep on 16 GiB of guests (BenchmarkFleet: 4 Mi pages): KsmdTuner with
// its default grid (8 pages_to_scan × 5 sleep_millisecs × smart_scan on and off, the advisor at
// 4 target scan times, ksmtuned), priced with the built-in profile. Building the map is not timed.
import Benchmark
import BenchmarkFleet
import Foundation
import KSMScope

private let stateBytesPerPage = BenchmarkMetric.custom("sweep state bytes per page", useScalingFactor: false)
private let settingsTried = BenchmarkMetric.custom("settings tried", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "KsmdTuner.sweep 4 Mi pages",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .peakMemoryResident, stateBytesPerPage, settingsTried],
            warmupIterations: 0,
            maxDuration: .seconds(300),
            maxIterations: 2,
            thresholds: [.wallClock: .relaxed]
        ),
        closure: { benchmark in
            let map = BenchmarkFleet.contents()
            let guests = (0..<BenchmarkFleet.guests).map { SimulatedGuest(image: "guest-\($0)") }
            // A host whose free memory is short, so that ksmtuned runs ksmd and is simulated too.
            let tuner = KsmdTuner(hostMemoryBytes: 20 << 30, freeMemoryBytes: 2 << 30)
            var settings = 0
            var stateBytes = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let before = BenchmarkFleet.residentBytes()
                let report = try tuner.sweep(contents: map, guests: guests)
                stateBytes = max(stateBytes, BenchmarkFleet.residentBytes() - before)
                settings = report.settings.count
                blackHole(report)
            }
            benchmark.stopMeasurement()
            benchmark.measurement(stateBytesPerPage, stateBytes / map.layout.totalPages)
            benchmark.measurement(settingsTried, settings)
        }
    )
}
