// Generation throughput of the library behind `ksmscope generate`: FleetSpec → FleetPlan →
// FleetImageWriter.write, on a ~1 GiB fleet (4 guests × 256 MiB) with zero_fraction 0, so that
// (almost) every page is filled and written (the writer skips all-zero pages).
//
// The spec is written by the benchmark into $KSMSCOPE_BENCH_DIR (default /tmp/ksmscope-bench);
// the images go to /dev/shm (tmpfs: no disk in the measurement) or, without it, to the bench
// folder, and are removed after every iteration.
import Benchmark
import Foundation
import KSMScope

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the spec lives.
private func benchmarkFolder() -> String {
    if let value = getenv("KSMSCOPE_BENCH_DIR"), value.pointee != 0 { return String(cString: value) }
    return "/tmp/ksmscope-bench"
}

/// Where the images are written: /dev/shm when it is a writable folder, else the bench folder.
private func outputParent() -> String {
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isFolder), isFolder.boolValue,
        access("/dev/shm", W_OK) == 0
    {
        return "/dev/shm"
    }
    return benchmarkFolder()
}

/// 4 guests × 256 MiB of one Linux OS with two libraries; no zero pages, so every byte is written.
private let specJSON = """
    {
      "comment": "ksmscope Generation benchmark: 4 x 256 MiB, no zero pages",
      "os": [
        {"name": "bench-linux", "family": "linux", "kernel_text_mib": 14, "kernel_data_mib": 40, "page_cache_mib": 60}
      ],
      "libraries": [
        {"name": "glibc", "mib": 4},
        {"name": "app", "mib": 20}
      ],
      "fleet": [
        {"name": "guest", "count": 4, "memory_mib": 256, "os": "bench-linux", "libraries": ["glibc", "app"],
         "zero_fraction": 0, "stale_fraction": 0.15, "self_sharing": 0.05}
      ]
    }
    """

private let writtenShare = BenchmarkMetric.custom("% of bytes written (non-zero)", polarity: .prefersLarger, useScalingFactor: false)
private let mibPerSecond = BenchmarkMetric.custom("MiB/s (image bytes)", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "Generate 4 x 256 MiB",
        configuration: .init(
            metrics: [.wallClock, .cpuTotal, .peakMemoryResident, mibPerSecond, writtenShare],
            warmupIterations: 1,
            maxDuration: .seconds(30),
            maxIterations: 5,
            thresholds: [.wallClock: .relaxed]
        ),
        closure: { benchmark in
            let folder = benchmarkFolder()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let specPath = folder + "/generation-spec.json"
            try Data(specJSON.utf8).write(to: URL(fileURLWithPath: specPath))
            let out = outputParent() + "/ksmscope-bench-generation-\(getpid())"
            try? FileManager.default.removeItem(atPath: out)
            defer { try? FileManager.default.removeItem(atPath: out) }

            var bytes = 0
            var written = 0
            benchmark.startMeasurement()
            let clock = ContinuousClock()
            let start = clock.now
            for _ in benchmark.scaledIterations {
                // What `ksmscope generate --spec F --out D` does (no timeline, no progress bar).
                let plan = try FleetPlan(spec: try FleetSpec(contentsOfFile: specPath), seed: 1, scale: 1)
                let summary = try FleetImageWriter(replaceExisting: true).write(
                    plan: plan, timeline: .none(plan: plan), to: out)
                bytes += summary.imageBytes
                written += summary.writtenBytes
                blackHole(summary)
            }
            let elapsed = start.duration(to: clock.now)
            benchmark.stopMeasurement()
            try FileManager.default.removeItem(atPath: out)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(writtenShare, written * 100 / max(1, bytes))
            benchmark.measurement(mibPerSecond, Int((Double(bytes) / 1_048_576 / seconds).rounded()))
        }
    )
}
