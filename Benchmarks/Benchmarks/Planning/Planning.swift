// ksmscope plan at fleet scale, on pages already hashed (a ContentMap built by hand, as the
// Simulation benchmark does; no image files):
// - the whole one-host plan of a 16 GiB fleet (16 guests x 256 Ki pages = 4 Mi pages): sharing
//   curves under every policy, ksmd simulated for 20 full scans, THP regions, heat map;
// - placement of 1,000 guests (20 families of 50, 4 Ki pages each: 16 GiB) onto 50 hosts:
//   profiles, MinHash sketches, both starts and local search, round-robin and first-fit.
import Benchmark
import Foundation
import KSMScope

/// A fleet of `families` x `perFamily` guests of `pages` pages, listed in a shuffled order (so
/// neither round-robin nor first-fit meets a family's guests together): per guest 10% zero pages, `global` pages common to all, `family` pages common to
/// its family, 2% repeated inside the guest, the rest unique.
private func fleet(families: Int, perFamily: Int, pages: Int, global: Int, family: Int) -> ContentMap {
    let guests = families * perFamily
    var contentOfPage = [UInt32](repeating: 0, count: guests * pages)
    let zero = pages / 10
    let repeated = pages / 50
    var next = UInt32(1 + global + families * family)
    var order = Array(0..<guests)
    var state: UInt64 = 42
    for index in stride(from: guests - 1, to: 0, by: -1) {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        order.swapAt(index, Int((state >> 33) % UInt64(index + 1)))
    }
    for guest in 0..<guests {
        let f = order[guest] % families
        let start = guest * pages
        for page in 0..<pages {
            let value: UInt32
            if page < zero {
                value = 0
            } else if page < zero + global {
                value = UInt32(1 + page - zero)
            } else if page < zero + global + family {
                value = UInt32(1 + global + f * family + (page - zero - global))
            } else if page < zero + global + family + repeated {
                value = next + UInt32(page % 16)
            } else {
                value = next + 16 + UInt32(page)
            }
            // Interleave the kinds over the guest's memory, as a real guest's would be.
            contentOfPage[start + (page &* 7919) % pages] = value
        }
        next += 16 + UInt32(pages)
    }
    let count = Int(next)
    var isZero = [Bool](repeating: false, count: count)
    isZero[0] = true
    return ContentMap(
        layout: ImageLayout(pageCounts: Array(repeating: pages, count: guests)), contentOfPage: contentOfPage,
        checksum: (0..<count).map { UInt32(truncatingIfNeeded: UInt64($0) &* 0x9E37_79B9_7F4A_7C15 >> 32) },
        isZero: isZero)
}

/// Pages `map`'s guests save on one host, counted here content by content: what the plan
/// must report.
private func expectedSavedPages(_ map: ContentMap) -> Int {
    var copies = [Int32](repeating: 0, count: map.contentCount)
    for content in map.contentOfPage { copies[Int(content)] += 1 }
    return copies.indices.reduce(0) { total, content in
        total + KSMTunables.defaults.savedPages(copies: Int(copies[content]), isZero: map.isZero[content])
    }
}

/// Ends the run with exit status 1. A plan that gets the fleet wrong must fail loudly, and
/// package-benchmark (1.38) only prints an error a benchmark throws, then exits 0.
private func failWrongAnswer(_ problem: String) -> Never {
    FileHandle.standardError.write(Data("Planning benchmark: wrong answer: \(problem)\n".utf8))
    exit(1)
}

private let savedPercent = BenchmarkMetric.custom("% saved (plan) or gain over round-robin (placement)", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "plan of a 16 GiB fleet (16 guests x 1 GiB)",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .peakMemoryResident, savedPercent], warmupIterations: 0,
            maxDuration: .seconds(120), maxIterations: 3, thresholds: [.wallClock: .relaxed])
    ) { benchmark in
        let map = fleet(families: 4, perFamily: 4, pages: 256 * 1024, global: 8192, family: 65536)
        let guests = (0..<16).map { SimulatedGuest(image: "guest-\($0).img") }
        let job = CapacityPlanning(host: try HostSpec(hostMemory: 64 << 30))
        benchmark.startMeasurement()
        var plan: CapacityPlan?
        for _ in benchmark.scaledIterations { plan = try job.run(contents: map, guests: guests) }
        benchmark.stopMeasurement()
        guard let plan else { return }
        let expected = expectedSavedPages(map) * 4096
        if plan.policies.all.savedBytes != expected || plan.sharingCurve[15].savedBytes != expected {
            failWrongAnswer("the fleet saves \(expected) bytes, the plan says \(plan.policies.all.savedBytes)")
        }
        benchmark.measurement(savedPercent, plan.policies.all.savedBytes * 100 / (16 << 30))
    }

    Benchmark(
        "placement of 1,000 guests onto 50 hosts",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .peakMemoryResident, savedPercent], warmupIterations: 0,
            maxDuration: .seconds(300), maxIterations: 3, thresholds: [.wallClock: .relaxed])
    ) { benchmark in
        let map = fleet(families: 20, perFamily: 50, pages: 4096, global: 512, family: 1536)
        let paths = (0..<1000).map { "guest-\($0).img" }
        // 16 MiB guests + 4 MiB overhead: 20 a host without sharing, about 24 with it.
        let job = CapacityPlanning(
            host: try HostSpec(hostMemory: 440 << 20, reserved: 0, guestOverhead: 4 << 20), hosts: 50)
        benchmark.startMeasurement()
        var report: PlacementReport?
        for _ in benchmark.scaledIterations {
            report = try job.placement(contents: map, guestImages: Array(0..<1000), paths: paths, savingFactor: 0.9)
        }
        benchmark.stopMeasurement()
        if let report {
            let placed = report.hosts.reduce(0) { $0 + $1.guests.count }
            if placed != 1000 || !report.unplaced.isEmpty {
                failWrongAnswer("\(placed) of 1,000 guests placed")
            }
            if report.hosts.reduce(0, { $0 + $1.savedBytes }) != report.savedBytes {
                failWrongAnswer("the hosts' savings do not add up to the placement's")
            }
            if report.savedBytes <= report.roundRobinSavedBytes {
                failWrongAnswer("the placement saves \(report.savedBytes) bytes, round-robin \(report.roundRobinSavedBytes)")
            }
            benchmark.measurement(
                savedPercent, (report.savedBytes - report.roundRobinSavedBytes) * 100 / max(1, report.roundRobinSavedBytes))
            print("placement: \(report.method); saved \(report.savedBytes >> 20) MiB, round-robin "
                + "\(report.roundRobinSavedBytes >> 20) MiB (fits \(report.roundRobinFits)), first-fit "
                + "\(report.firstFitSavedBytes >> 20) MiB (\(report.firstFitUnplaced) unplaced), unplaced \(report.unplaced.count)")
        }
    }
}
