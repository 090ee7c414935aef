import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope verify-kernel`: the prediction against the real ksmd.
    struct VerifyKernel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-kernel",
            abstract: "Load the images into KSM-mergeable memory, let the real ksmd converge and compare its counters with the prediction.",
            discussion: """
                Needs root and /sys/kernel/mm/ksm; refuses while other processes use KSM. Each image is held \
                by one child process, registered in input order. Every KSM setting changed is restored, also \
                on failure and on Ctrl-C. Exits 1 when any counter differs.

                With --timeline (or a timeline.json from 'ksmscope generate --timeline'), each guest's snapshot 0 \
                is loaded, ksmd settles, then the pages that change in snapshot 1, 2, ... are written into the \
                same memory between two full scans; after each step the kernel's converged counters are printed \
                beside the simulator's at the same full scan.
                """
        )

        @OptionGroup var scan: ImageScanOptions<TimelineImageInputs>

        @Option(name: .customLong("format"), help: "Output format: text or json.")
        var format: ReportFormat = .text

        @Option(name: .customLong("timeout"), help: "Seconds to wait for ksmd to settle.")
        var timeout = 300.0

        @Option(name: .customLong("smart-scan"), help: "ksmd's smart_scan (0 or 1) for timelines.")
        var smartScan = 1

        @Option(name: .customLong("pages-to-scan"), help: "ksmd's pages_to_scan while verifying.")
        var pagesToScan = 20_000

        @Option(name: .customLong("sleep-millisecs"), help: "ksmd's sleep_millisecs while verifying.")
        var sleepMilliseconds = 10

        func validate() throws {
            guard format != .csv else { throw ValidationError("--format csv is not offered by verify-kernel; use text or json") }
            guard smartScan == 0 || smartScan == 1 else { throw ValidationError("--smart-scan takes 0 or 1") }
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
            guard pagesToScan > 0 else { throw ValidationError("--pages-to-scan must be positive") }
            guard sleepMilliseconds >= 0 else { throw ValidationError("--sleep-millisecs must not be negative") }
            guard scan.scale.sample == nil else { throw ValidationError("--sample: verify-kernel compares exact counters") }
        }

        func run() throws {
            let waiting: @Sendable (Int32?) -> Void = { pid in
                var standardError = StandardError()
                let holder = pid.map { " (pid \($0))" } ?? ""
                print("ksmscope: waiting for another job that drives ksmd\(holder) to finish", to: &standardError)
            }
            let inputs = GuestInputs(paths: scan.paths, timelines: scan.extra.timelines)
            let guests = try CommandFailure.reporting { try inputs.guests(pageSize: scan.pageSize) }
            if guests.contains(where: \.isTimeline) {
                let comparison = try CommandFailure.reporting {
                    let pageSize = try scan.read.size()
                    // A static guest keeps its one image over the whole timeline.
                    let steps = guests.map(\.snapshots.count).max() ?? 1
                    let snapshots = try guests.map { guest in
                        let paths = guest.snapshots.map(\.path)
                        return try ImagePaths.open(
                            paths.count == 1 ? Array(repeating: paths[0], count: steps) : paths, pageSize: pageSize)
                    }
                    var verifier = TimelineVerifier()
                    verifier.run.timeoutSeconds = timeout
                    verifier.run.waiting = waiting
                    return try verifier.verify(
                        guests: snapshots,
                        tunables: try SimulatorTunables(
                            maxPageSharing: scan.merge.maxPageSharing, useZeroPages: scan.merge.useZeroPages,
                            smartScan: smartScan == 1))
                }
                try ReportDestination.standardOutput.write(
                    format == .json ? try ReportJSON.encode(comparison) : comparison.text)
                if !comparison.matches { throw ExitCode.failure }
                return
            }
            let comparison = try CommandFailure.reporting {
                let job = SteadyStateScan(configuration: try scan.configuration(), tunables: try scan.tunables())
                let images = try ImagePaths.open(
                    guests.map { $0.snapshots[0].path }, pageSize: job.configuration.pageSize)
                var verifier = KernelVerifier()
                verifier.timeoutSeconds = timeout
                verifier.pagesToScan = pagesToScan
                verifier.sleepMilliseconds = sleepMilliseconds
                verifier.waiting = waiting
                return try verifier.verify(images, scan: job)
            }
            try ReportDestination.standardOutput.write(
                format == .json ? try ReportJSON.encode(comparison) : comparison.text)
            if !comparison.matches { throw ExitCode.failure }
        }
    }
}
