import Dispatch
import Foundation
import KSMScope

/// A progress bar with throughput and ETA, redrawn on standard error while work runs.
///
/// It is drawn only when standard error is a terminal and the user did not ask for quiet, so
/// logs and pipes stay clean.
final class ProgressBar {
    private let timer: any DispatchSourceTimer

    private init(line: Line) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "ksmscope.progress"))
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler { line.draw() }
        timer.resume()
    }

    /// Returns a bar drawing `counter`, whose units are `unitBytes` bytes each, if progress
    /// should be shown; else nil.
    static func start(counter: ProgressCounter, label: String, unitBytes: Int, quiet: Bool) -> ProgressBar? {
        guard !quiet, StandardError.isTerminal, counter.total > 0 else { return nil }
        return ProgressBar(line: Line(counter: counter, label: label, unitBytes: unitBytes, start: .now()))
    }

    /// Stops drawing and clears the line.
    func finish() {
        timer.cancel()
        var error = StandardError()
        print("\r\u{1B}[2K", terminator: "", to: &error)
    }

    /// What one redraw needs.
    private struct Line: Sendable {
        let counter: ProgressCounter
        let label: String
        let unitBytes: Int
        let start: DispatchTime

        func draw() {
            let done = min(counter.completed, counter.total)
            let fraction = Double(done) / Double(max(1, counter.total))
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            let rate = seconds > 0 ? Double(done * unitBytes) / seconds : 0
            let remaining = rate > 0 ? Double((counter.total - done) * unitBytes) / rate : 0
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let text = String(
                format: "\r\u{1B}[2K%@ [%@] %5.1f%%  %.0f MiB/s  ETA %.0fs", label, bar, fraction * 100,
                rate / 1_048_576, remaining)
            var error = StandardError()
            print(text, terminator: "", to: &error)
        }
    }
}
