// The simulator's scale figure: KSMSimulator on 16 GiB of guests (8 × 512 Ki pages = 4 Mi
// pages) for 20 full scans, the fleet built by hand as a ContentMap (as SimulatorScaleTests
// does): 40% of each guest's pages from a pool shared by every guest, 10% zero, 5% repeated
// inside the guest, the rest unique. No image files: only the simulator's work and memory.
import Benchmark
import Foundation
import KSMScope

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Resident memory of this process, bytes (/proc/self/statm, as SimulatorScaleTests reads it).
private func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

private let guests = 8
private let pagesPerGuest = 512 * 1024

/// The fleet's ContentMap (content ids: 0 the zero page, 1 … base the shared pool).
private func fleet() -> ContentMap {
    var contentOfPage = [UInt32](repeating: 0, count: guests * pagesPerGuest)
    let base = pagesPerGuest * 4 / 10
    let zero = pagesPerGuest / 10
    let repeated = pagesPerGuest / 20
    var next = UInt32(1 + base)
    for guest in 0..<guests {
        let start = guest * pagesPerGuest
        for page in 0..<pagesPerGuest {
            let value: UInt32
            if page < base {
                value = UInt32(1 + page)
            } else if page < base + zero {
                value = 0
            } else if page < base + zero + repeated {
                value = next + UInt32(page % 64)
            } else {
                value = next + 64 + UInt32(page)
            }
            contentOfPage[start + page] = value
        }
        next += 64 + UInt32(pagesPerGuest)
    }
    let count = Int(next)
    let checksum = (0..<count).map { UInt32(truncatingIfNeeded: UInt64($0) &* 0x9E37_79B9_7F4A_7C15 >> 32) }
    var isZero = [Bool](repeating: false, count: count)
    isZero[0] = true
    return ContentMap(
        layout: ImageLayout(pageCounts: Array(repeating: pagesPerGuest, count: guests)),
        contentOfPage: contentOfPage, checksum: checksum, isZero: isZero)
}

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
                let map = fleet()
                let tunables = try SimulatorTunables(smartScan: smartScan)
                let clock = ContinuousClock()
                benchmark.startMeasurement()
                let start = clock.now
                var stateBytes = 0
                for _ in benchmark.scaledIterations {
                    // Resident growth from creating the simulator to the end of its scans: its own
                    // state, without the ContentMap (SimulatorScaleTests' "bytes/page").
                    let before = residentBytes()
                    var simulator = KSMSimulator(
                        contents: map, tunables: tunables, kernel: .v6_11, costs: .default)
                    simulator.runFullScans(20)
                    stateBytes = max(stateBytes, residentBytes() - before)
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
