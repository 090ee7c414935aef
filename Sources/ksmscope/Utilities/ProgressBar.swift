import Dispatch
import Foundation
import KSMScope

/// A progress bar with throughput and ETA, redrawn on standard error while work runs.
///
/// It is drawn only when standard error is a terminal and the user did not ask for quiet, so
/// logs and pipes stay clean. Its line is cleared when the work ends, and also when the process
/// is interrupted (``InterruptCleanup``), so a shell prompt never lands after half a bar.
final class ProgressBar {
    /// What a unit of the counter is.
    enum Unit: Sendable {
        /// A page of `bytes` bytes: throughput in MiB/s.
        case pages(bytes: Int)
        /// A full scan of ksmd, simulated.
        case fullScans
        /// A millisecond of simulated time.
        case simulatedMilliseconds
    }

    private let queue = DispatchQueue(label: "ksmscope.progress")
    private let timer: any DispatchSourceTimer
    private let interrupt: InterruptCleanup.Registration

    private init(line: Line) {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler { line.draw() }
        timer.resume()
        interrupt = InterruptCleanup.register { ProgressBar.clearLine() }
    }

    /// Returns a bar drawing `counter` if progress should be shown; else nil.
    static func start(counter: ProgressCounter, label: String, unit: Unit, quiet: Bool) -> ProgressBar? {
        guard !quiet, StandardError.isTerminal else { return nil }
        return ProgressBar(line: Line(counter: counter, label: label, unit: unit, start: .now()))
    }

    /// Returns a bar drawing `counter`, whose units are pages of `unitBytes` bytes, if progress
    /// should be shown; else nil.
    static func start(counter: ProgressCounter, label: String, unitBytes: Int, quiet: Bool) -> ProgressBar? {
        start(counter: counter, label: label, unit: .pages(bytes: unitBytes), quiet: quiet)
    }

    /// Stops drawing and clears the line.
    func finish() {
        timer.cancel()
        // The timer's queue may be drawing: clear after it is done.
        queue.sync {}
        interrupt.cancel()
        Self.clearLine()
    }

    private static func clearLine() {
        var error = StandardError()
        print("\r\u{1B}[2K", terminator: "", to: &error)
    }

    /// What one redraw needs.
    private struct Line: Sendable {
        let counter: ProgressCounter
        let label: String
        let unit: Unit
        let start: DispatchTime

        func draw() {
            let total = counter.total
            guard total > 0 else { return }
            let done = min(counter.completed, total)
            let fraction = Double(done) / Double(total)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            let perSecond = seconds > 0 ? Double(done) / seconds : 0
            let remaining = perSecond > 0 ? Double(total - done) / perSecond : 0
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let detail: String =
                switch unit {
                case .pages(let bytes): String(format: "%.0f MiB/s", perSecond * Double(bytes) / 1_048_576)
                case .fullScans: "\(done)/\(total) full scans"
                case .simulatedMilliseconds:
                    String(format: "%.1f/%.1f s simulated", Double(done) / 1000, Double(total) / 1000)
                }
            let text = String(
                format: "\r\u{1B}[2K%@ [%@] %5.1f%%  %@  ETA %.0fs", label, bar, fraction * 100, detail, remaining)
            var error = StandardError()
            print(text, terminator: "", to: &error)
        }
    }
}
