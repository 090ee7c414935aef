// Scan throughput per image format for the same guest: the committed real QEMU sample
// (samples/qemu: a 64 MiB guest dumped as raw, ELF and kdump-compressed zlib), each scanned by
// `SteadyStateScan().run(paths: [file])`, which detects the format from the content
// (`ImagePaths.open`).
//
// guest-dumps.tar.xz is unpacked once with `tar -xJf` into
// $KSMSCOPE_BENCH_DIR/qemu-sample (default /tmp/ksmscope-bench); the kdump file is used in place.
import Benchmark
import Foundation
import KSMScope

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

private func benchmarkFolder() -> String {
    if let value = getenv("KSMSCOPE_BENCH_DIR"), value.pointee != 0 { return String(cString: value) }
    return "/tmp/ksmscope-bench"
}

private struct SampleError: Error, CustomStringConvertible {
    let description: String
}

/// samples/qemu of the parent package, found from this source file's location.
private let sampleFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }  // Formats.swift, Formats, Benchmarks, Benchmarks
    return url.path + "/samples/qemu"
}()

private let unpackFolder = benchmarkFolder() + "/qemu-sample"

/// Unpacks guest.raw and guest.elf once (skipped when both are there with the right sizes).
private func prepareSample() throws {
    let expected = ["guest.raw": 67_371_008, "guest.elf": 67_372_171]
    let present = expected.allSatisfy { name, size in
        ((try? FileManager.default.attributesOfItem(atPath: unpackFolder + "/" + name))?[.size] as? Int) == size
    }
    if !present {
        try FileManager.default.createDirectory(atPath: unpackFolder, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xJf", sampleFolder + "/guest-dumps.tar.xz", "-C", unpackFolder]
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else {
            throw SampleError(description: "tar -xJf \(sampleFolder)/guest-dumps.tar.xz failed")
        }
    }
    // Read every file once so that the measured runs find them in the page cache.
    for path in formats.map(\.path) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SampleError(description: "cannot read \(path)")
        }
        blackHole(data.count)
    }
}

private let formats: [(label: String, path: String)] = [
    ("raw", unpackFolder + "/guest.raw"),
    ("ELF", unpackFolder + "/guest.elf"),
    ("kdump-zlib", sampleFolder + "/guest.kdump-zlib"),
]

/// Guest memory per scan: the raw image's size (64 MiB of RAM plus the BIOS ranges), the same
/// for all three formats.
private let guestBytes = 67_371_008

/// Ends the run with exit status 1. A scan that gets the sample wrong must fail loudly, and
/// package-benchmark (1.38) only prints an error a benchmark throws, then exits 0.
private func failWrongAnswer(_ problem: String) -> Never {
    FileHandle.standardError.write(Data("Formats benchmark: wrong answer: \(problem)\n".utf8))
    exit(1)
}

private let mibPerSecond = BenchmarkMetric.custom("MiB/s (guest memory)", polarity: .prefersLarger, useScalingFactor: false)
private let pagesPerSecond = BenchmarkMetric.custom("pages/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    for format in formats {
        Benchmark(
            "Scan QEMU 64 MiB guest",
            configuration: .init(
                metrics: [.wallClock, .cpuTotal, .peakMemoryResident, mibPerSecond, pagesPerSecond],
                tags: ["format": format.label],
                warmupIterations: 2,
                maxDuration: .seconds(10),
                maxIterations: 30,
                thresholds: [.wallClock: .relaxed]
            ),
            closure: { benchmark in
                var pages = 0
                let clock = ContinuousClock()
                benchmark.startMeasurement()
                let start = clock.now
                var reports: [ScanReport] = []
                for _ in benchmark.scaledIterations {
                    let report = try SteadyStateScan().run(paths: [format.path])
                    pages += report.pages
                    reports.append(report)
                    blackHole(report)
                }
                let elapsed = start.duration(to: clock.now)
                benchmark.stopMeasurement()
                // Every format holds the guest's 16448 pages (samples/qemu/SAMPLES.txt), all readable.
                for report in reports where report.pages != guestBytes / 4096 || report.unreadablePages != 0 {
                    failWrongAnswer(
                        "\(format.path): \(report.pages) pages and \(report.unreadablePages) unreadable, "
                            + "expected \(guestBytes / 4096) and 0")
                }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let runs = Double(benchmark.scaledIterations.count)
                benchmark.measurement(mibPerSecond, Int((Double(guestBytes) * runs / 1_048_576 / seconds).rounded()))
                benchmark.measurement(pagesPerSecond, Int((Double(pages) / seconds).rounded()))
            },
            setup: { try prepareSample() }
        )
    }
}
