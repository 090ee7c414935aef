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

        @OptionGroup var scan: ScanOptions

        @Option(name: .customLong("format"), help: "Output format: text or json.")
        var format: ReportFormat = .text

        @Option(name: .customLong("timeout"), help: "Seconds to wait for ksmd to settle.")
        var timeout = 300.0

        @Option(
            name: .customLong("timeline"),
            help: "A guest's snapshots in time order, NAME=FILE0,FILE1,... (repeatable): compare the simulator with ksmd over the timeline.")
        var timelines: [String] = []

        @Option(name: .customLong("smart-scan"), help: "ksmd's smart_scan (0 or 1) for timelines.")
        var smartScan = 1

        @Option(name: .customLong("pages-to-scan"), help: "ksmd's pages_to_scan while verifying.")
        var pagesToScan = 20_000

        @Option(name: .customLong("sleep-millisecs"), help: "ksmd's sleep_millisecs while verifying.")
        var sleepMilliseconds = 10

        func validate() throws {
            guard format != .csv else { throw ValidationError("--format csv is not offered by verify-kernel; use text or json") }
            guard smartScan == 0 || smartScan == 1 else { throw ValidationError("--smart-scan takes 0 or 1") }
            for timeline in timelines {
                let parts = timeline.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[1].split(separator: ",").count >= 2 else {
                    throw ValidationError("--timeline \(timeline): expected NAME=FILE0,FILE1,... with at least two snapshots")
                }
            }
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
            guard pagesToScan > 0 else { throw ValidationError("--pages-to-scan must be positive") }
            guard sleepMilliseconds >= 0 else { throw ValidationError("--sleep-millisecs must not be negative") }
        }

        func run() throws {
            if let guests = try CommandFailure.reporting({ try timelineGuests() }) {
                let comparison = try CommandFailure.reporting {
                    var verifier = TimelineVerifier()
                    verifier.run.timeoutSeconds = timeout
                    return try verifier.verify(
                        guests: guests,
                        tunables: try SimulatorTunables(
                            maxPageSharing: scan.maxPageSharing, useZeroPages: scan.useZeroPages, smartScan: smartScan == 1))
                }
                StandardOutput.write(format == .json ? try ReportJSON.encode(comparison) : comparison.text)
                if !comparison.matches { throw ExitCode.failure }
                return
            }
            let comparison = try CommandFailure.reporting {
                let job = SteadyStateScan(configuration: try scan.configuration(), tunables: try scan.tunables())
                let images = try ImagePaths.open(try ImagePaths.expand(scan.paths), pageSize: job.configuration.pageSize)
                var verifier = KernelVerifier()
                verifier.timeoutSeconds = timeout
                verifier.pagesToScan = pagesToScan
                verifier.sleepMilliseconds = sleepMilliseconds
                return try verifier.verify(images, scan: job)
            }
            StandardOutput.write(format == .json ? try ReportJSON.encode(comparison) : comparison.text)
            if !comparison.matches { throw ExitCode.failure }
        }

        /// The timeline's guests (each a list of snapshots), from --timeline or from a
        /// `timeline.json` named as the only PATH; nil for a plain verification.
        private func timelineGuests() throws -> [[any PageSource]]? {
            let pageSize = try PageSize(bytes: scan.pageSize)
            if !timelines.isEmpty {
                return try timelines.map { timeline in
                    let files = timeline.split(separator: "=", maxSplits: 1)[1].split(separator: ",").map(String.init)
                    return try ImagePaths.open(files, pageSize: pageSize)
                }
            }
            guard scan.paths.count == 1, ImagePaths.isManifest(scan.paths[0]),
                let data = FileManager.default.contents(atPath: scan.paths[0]),
                let manifest = try? JSONDecoder().decode(TimelineManifest.self, from: data)
            else { return nil }
            let folder = (scan.paths[0] as NSString).deletingLastPathComponent
            return try manifest.guests.map { guest in
                try ImagePaths.open(guest.files.map { folder.isEmpty ? $0 : folder + "/" + $0 }, pageSize: pageSize)
            }
        }
    }
}
