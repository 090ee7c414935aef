// The calibration accuracy table (issue 8, part 1): on guests calibration did not use, for
// pages_to_scan × sleep_millisecs × smart_scan, the calibrated simulator's wall time and ksmd CPU
// time at full scans 1, 2, 3 and 10 beside the real ksmd's (medians of REPEATS passes).
//
//   swift run -c release CalibrationAccuracy PROFILE NAME=PATH[,PATH...]...
//
// Needs root and KSM; drives ksmd through KSMSettingsGuard (every setting restored, also on
// Ctrl-C). Environment: PAGES (default "100 1000 5000"), SLEEPS ("10 20 50"), SMART ("1 0"),
// SCANS ("1 2 3 10"), REPEATS (1). With REPEATS above 1 the whole table is run that many times
// over (passes minutes apart, not repeats in a row: the host's speed drifts over minutes) and
// each row shows the median and the range of its passes. Each pass's lines go to standard error
// as they come; the table and the share of rows within the targets (wall ±10 %, CPU ±15 %) to
// standard output. See Benchmarks/calibration-accuracy.sh.
import Foundation
import KSMScope

func numbers(_ name: String, _ fallback: String) -> [Int] {
    (ProcessInfo.processInfo.environment[name] ?? fallback).split(separator: " ").compactMap { Int($0) }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: CalibrationAccuracy PROFILE NAME=PATH[,PATH...]...\n".utf8))
    exit(64)
}
let profile = try KsmdProfile.load(path: arguments.first!)
let pages = numbers("PAGES", "100 1000 5000")
let sleeps = numbers("SLEEPS", "10 20 50")
let smarts = numbers("SMART", "1 0").map { $0 == 1 }
let scans = numbers("SCANS", "1 2 3 10")
let repeats = max(1, numbers("REPEATS", "1").first ?? 1)

struct Workload {
    let name: String
    let contents: ContentMap
    let images: [[UInt8]]
}

var workloads: [Workload] = []
for argument in arguments.dropFirst() {
    let parts = argument.split(separator: "=", maxSplits: 1)
    let name = String(parts[0])
    let paths = try ImagePaths.expand(parts[1].split(separator: ",").map(String.init))
    let sources = try ImagePaths.open(paths, pageSize: .default)
    let contents = try ContentMap.build(sources)
    let images = try sources.map { source -> [UInt8] in
        let reader = try source.makeReader()
        var bytes = [UInt8]()
        bytes.reserveCapacity(source.pageCount * 4096)
        for page in 0..<source.pageCount { bytes += try reader.page(page) }
        return bytes
    }
    workloads.append(Workload(name: name, contents: contents, images: images))
    print("\(name): \(paths.count) image(s), \(contents.layout.totalPages) pages, \(contents.contentCount) contents")
}

print("profile: \(profile.summary)")
print("load average before: \(loadAverage())")
let settings = try KSMSettingsGuard(sysfs: KSMSysfs()) { pid in
    print("waiting for another job that drives ksmd (pid \(pid.map(String.init) ?? "?"))")
}
defer { settings.restore() }
let measurement = try KsmdMeasurement(settings: settings)
let check = CalibrationCheck(profile: profile)

func line(_ row: CalibrationCheck.Row) -> String {
    String(
        format: "%-8@ p%-5d s%-3d smart %d scan %-3d  time %8.3f s model %8.3f s (%+6.1f%%)   cpu %9.2f ms model %9.2f ms (%+6.1f%%)%@",
        row.workload, row.pagesToScan, row.sleepMillisecs, row.smartScan ? 1 : 0, row.fullScan, row.measuredSeconds,
        row.predictedSeconds, row.secondsError * 100, row.measuredCPUSeconds * 1e3, row.predictedCPUSeconds * 1e3,
        row.cpuError * 100,
        row.measuredPagesScanned == row.predictedPagesScanned
            ? "" : "  pages_scanned \(row.measuredPagesScanned) (model \(row.predictedPagesScanned)): other KSM users")
}
var rows: [CalibrationCheck.Row] = []
var ranges: [(low: Double, high: Double)] = []
let started = Date()
var passes: [[CalibrationCheck.Row]] = []
for pass in 1...repeats {
    var passRows: [CalibrationCheck.Row] = []
    for workload in workloads {
        for smart in smarts {
            for sleep in sleeps {
                for pagesToScan in pages {
                    let tunables = try SimulatorTunables(
                        pagesToScan: pagesToScan, sleepMillisecs: sleep, smartScan: smart, hz: profile.host.hz)
                    let compared = try check.compare(
                        workload: workload.name, images: workload.images, contents: workload.contents,
                        tunables: tunables, fullScans: scans, measurement: measurement)
                    passRows += compared
                    for row in compared {
                        // One pass: the table as it comes; more: each pass's lines on stderr.
                        if repeats == 1 {
                            print(line(row))
                        } else {
                            FileHandle.standardError.write(Data(("pass \(pass): " + line(row) + "\n").utf8))
                        }
                    }
                }
            }
        }
    }
    passes.append(passRows)
}
guard passes.allSatisfy({ $0.count == passes[0].count }) else {
    FileHandle.standardError.write(Data("passes measured different full scans; compare them by hand above\n".utf8))
    exit(1)
}
for index in passes[0].indices {
    var row = passes[0][index]
    let cpu = passes.map { $0[index].measuredCPUSeconds }
    row.measuredPagesScanned = passes.map { $0[index].measuredPagesScanned }.max() ?? 0
    row.measuredSeconds = median(passes.map { $0[index].measuredSeconds })
    row.measuredCPUSeconds = median(cpu)
    rows.append(row)
    ranges.append((cpu.min() ?? 0, cpu.max() ?? 0))
    if repeats > 1 {
        print(line(row) + String(format: "  passes %.2f-%.2f ms", ranges.last!.low * 1e3, ranges.last!.high * 1e3))
    }
}
let withinTime = rows.filter { abs($0.secondsError) <= 0.10 }.count
let withinCPU = rows.filter { abs($0.cpuError) <= 0.15 }.count
print("load average after: \(loadAverage()); \(Int(Date().timeIntervalSince(started))) s")
print(
    "within ±10 % wall time: \(withinTime) of \(rows.count); within ±15 % CPU: \(withinCPU) of \(rows.count); "
        + String(
            format: "median |error| wall %.1f%%, CPU %.1f%%", median(rows.map { abs($0.secondsError) }) * 100,
            median(rows.map { abs($0.cpuError) }) * 100))
if repeats > 1 {
    // How far apart the passes of one row lie, against the ±15 % target.
    let spreads = zip(rows, ranges).map { ($1.high - $1.low) / $0.measuredCPUSeconds }
    let inRange = zip(rows, ranges).filter { $0.predictedCPUSeconds >= $1.low * 0.85 && $0.predictedCPUSeconds <= $1.high * 1.15 }
    print(
        String(
            format: "passes: %d; measured CPU of one row spans %.1f%% of its median (median over rows), over 30%% in %d rows; "
                + "model within the passes' range ±15%%: %d of %d", repeats, median(spreads) * 100,
            spreads.filter { $0 > 0.3 }.count, inRange.count, rows.count))
}
