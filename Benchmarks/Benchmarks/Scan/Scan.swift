// The whole `SteadyStateScan.run(paths:)` (open and map, hash, sort, byte-verify, tally) on
// deterministic generated image sets of 0.5, 1 and 2 GiB (8 images each: ~35% zero pages,
// ~30% shared across images, ~10% duplicated inside one image, ~25% unique).
//
// The sets are written once to $KSMSCOPE_BENCH_DIR (default /tmp/ksmscope-bench) and reused;
// before measuring they are dropped from the page cache and read back, so that the files sit in
// the page cache in readahead's large folios whatever happened to them before. Every scan's
// pages, zero pages and distinct contents must equal what the set maker counted while writing
// the set; a scan that gets them wrong ends the run with one line and exit status 1.
import Benchmark
import CBenchDataset
import KSMScope

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the generated sets live.
private func benchmarkFolder() -> String {
    if let value = getenv("KSMSCOPE_BENCH_DIR"), value.pointee != 0 { return String(cString: value) }
    return "/tmp/ksmscope-bench"
}

private struct DatasetError: Error, CustomStringConvertible {
    let description: String
}

/// A generated set of `gibibytes` GiB: its folder and spec.
private struct Dataset: Sendable {
    let label: String
    let folder: String
    let images: UInt32
    let imageBytes: UInt64

    init(gibibytes: Double) {
        label = gibibytes == gibibytes.rounded() ? String(Int(gibibytes)) : String(gibibytes)
        folder = benchmarkFolder() + "/" + label + "g"
        images = 8
        imageBytes = UInt64(gibibytes * 1_073_741_824) / UInt64(images) / 4096 * 4096
    }

    /// The text of a NUL-terminated C message buffer.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var pages: Int { Int(imageBytes / 4096) * Int(images) }

    /// Writes the set if it is missing or stale, then drops it from the page cache and reads it
    /// back (as compare.sh does), so every run sees the same page-cache layout.
    ///
    /// - Returns: what the set holds, counted by the set maker.
    @discardableResult
    func prepare(warm: Bool = true) throws -> ksmbench_counts {
        var spec = ksmbench_default_spec(images, imageBytes)
        var reused: Int32 = 0
        var counts = ksmbench_counts()
        var message = [CChar](repeating: 0, count: 512)
        guard ksmbench_ensure_set(folder, &spec, 0, &reused, &counts, &message, message.count) == 0 else {
            throw DatasetError(description: Self.text(message))
        }
        guard !warm || ksmbench_warm_set(folder, images, 1, &message, message.count) >= 0 else {
            throw DatasetError(description: Self.text(message))
        }
        return counts
    }

    /// What `report` counts wrong of what the set holds, or nil when it is right.
    func wrongCounts(_ report: ScanReport, against counts: ksmbench_counts) -> String? {
        let wrong = [
            ("pages", report.pages, counts.pages),
            ("zero_pages", report.zeroPages, counts.zero),
            ("distinct_contents", report.distinctContents, counts.distinct),
        ].filter { UInt64($0.1) != $0.2 }
        guard !wrong.isEmpty else { return nil }
        return "the \(label) GiB set \(folder): "
            + wrong.map { "\($0.0) \($0.1), the set holds \($0.2)" }.joined(separator: "; ")
    }
}

/// Ends the run with exit status 1. A scan that gets the set wrong must fail loudly, and
/// package-benchmark (1.38) only prints an error a benchmark throws, then exits 0.
private func failWrongAnswer(_ problem: String) -> Never {
    let line = "Scan benchmark: wrong answer: \(problem)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

let benchmarks: @Sendable () -> Void = {
    for gibibytes in [0.5, 1, 2] {
        let dataset = Dataset(gibibytes: gibibytes)
        Benchmark(
            "Scan",
            configuration: .init(
                metrics: [
                    .wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal,
                    .custom("ns per page", useScalingFactor: false),
                ],
                tags: ["GiB": dataset.label],
                warmupIterations: 1,
                maxDuration: .seconds(30),
                maxIterations: 5,
                thresholds: [.wallClock: .relaxed]
            ),
            closure: { benchmark in
                // The set is already written and warm (setup): this only counts it again.
                let counts = try dataset.prepare(warm: false)
                let clock = ContinuousClock()
                benchmark.startMeasurement()
                let start = clock.now
                var reports: [ScanReport] = []
                for _ in benchmark.scaledIterations {
                    let report = try SteadyStateScan().run(paths: [dataset.folder])
                    reports.append(report)
                    blackHole(report)
                }
                let elapsed = start.duration(to: clock.now)
                benchmark.stopMeasurement()
                for report in reports {
                    if let problem = dataset.wrongCounts(report, against: counts) { failWrongAnswer(problem) }
                }
                let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
                benchmark.measurement(
                    .custom("ns per page", useScalingFactor: false),
                    Int(nanoseconds) / max(1, dataset.pages * benchmark.scaledIterations.count))
            },
            setup: { try dataset.prepare() }
        )
    }
}
