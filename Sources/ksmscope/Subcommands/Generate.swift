import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope generate`: synthetic guest images from a fleet spec.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write synthetic guest memory images for a fleet spec, with the counts scan must find.",
            discussion: """
                Reads a JSON fleet spec (see samples/ and the README) and writes one raw image per \
                guest into --out, plus expected.json: the page counts and KSM counters the images \
                were built to have. With --timeline K it writes NAME.t0.img … NAME.tK.img per guest, \
                --interval seconds apart, and timeline.json naming the pages each step changed. \
                The same spec, seed and scale give byte-identical files on every machine. The set is \
                built in a hidden folder beside --out and renamed into place when complete.
                """
        )

        @Option(name: .customLong("spec"), help: ArgumentHelp("The fleet spec (JSON).", valueName: "file"))
        var spec: String

        @Option(
            name: .customLong("out"),
            help: ArgumentHelp("The folder to create (it may exist if empty; see --force).", valueName: "dir"))
        var out: String

        @Option(name: .customLong("seed"), help: ArgumentHelp("Seed for every random choice and byte.", valueName: "n"))
        var seed: UInt64 = 1

        @Option(
            name: .customLong("scale"),
            help: ArgumentHelp(
                "Multiplies every size and churn rate of the spec (counts and fractions stay).", valueName: "f"))
        var scale: Double = 1

        @Option(
            name: .customLong("timeline"),
            help: ArgumentHelp("Also write <k> later snapshots of each guest (churn).", valueName: "k"))
        var timeline: Int?

        @Option(
            name: .customLong("interval"),
            help: ArgumentHelp("Seconds between snapshots (with --timeline; default 60).", valueName: "s"))
        var interval: Double?

        @Option(
            name: .customLong("max-page-sharing"),
            help: ArgumentHelp("max_page_sharing that expected.json's KSM counters are for.", valueName: "n"))
        var maxPageSharing = 256

        @Flag(name: .customLong("use-zero-pages"), help: "expected.json's KSM counters assume use_zero_pages=1.")
        var useZeroPages = false

        @Option(
            name: .customLong("threads"), help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
        var threads: Int?

        @Flag(name: .customLong("force"), help: "Replace --out if it exists and is not empty.")
        var force = false

        @Flag(name: .customLong("quiet"), help: "No progress bar on standard error.")
        var quiet = false

        func validate() throws {
            guard scale > 0, scale.isFinite else { throw ValidationError("--scale must be a positive number") }
            if let timeline, timeline < 1 { throw ValidationError("--timeline must be at least 1") }
            if let interval {
                guard timeline != nil else { throw ValidationError("--interval needs --timeline") }
                guard interval > 0, interval.isFinite else { throw ValidationError("--interval must be positive") }
            }
            guard maxPageSharing >= 2 else {
                throw ValidationError("--max-page-sharing \(maxPageSharing) is below the kernel's minimum of 2")
            }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        }

        func run() throws {
            let (summary, plan) = try CommandFailure.reporting {
                let plan = try FleetPlan(spec: try FleetSpec(contentsOfFile: spec), seed: seed, scale: scale)
                let churn =
                    timeline.map { ChurnTimeline(plan: plan, steps: $0, interval: interval ?? 60) }
                    ?? .none(plan: plan)
                var writer = FleetImageWriter(replaceExisting: force)
                if let threads { writer.threads = threads }
                let counter = ProgressCounter(total: FleetImageWriter.progressTotal(plan: plan, timeline: churn))
                let bar = ProgressBar.start(counter: counter, label: "generate", unitBytes: plan.pageSize, quiet: quiet)
                defer { bar?.finish() }
                let summary = try writer.write(
                    plan: plan, timeline: churn, to: out,
                    tunables: try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages),
                    progress: counter)
                return (summary, plan)
            }
            StandardOutput.write(Self.text(summary, plan: plan))
        }

        /// The short summary printed on standard output.
        static func text(_ summary: FleetImageWriter.Summary, plan: FleetPlan) -> String {
            let gib = Double(1 << 30)
            let rate = summary.seconds > 0 ? Double(summary.imageBytes) / gib / summary.seconds : 0
            var text =
                "ksmscope generate: \(plan.guests.count) guest(s), \(summary.images) image(s) in \(summary.directory): "
            text += String(
                format: "%.1f MiB (%.1f MiB non-zero) in %.2f s, %.2f GiB/s\n",
                Double(summary.imageBytes) / 1_048_576, Double(summary.writtenBytes) / 1_048_576, summary.seconds, rate)
            let steps = summary.expected.timelineSteps
            for set in summary.expected.sets where set.step == 0 || set.step == steps {
                let nonZero = set.pages - set.zeroPages
                let nonZeroSaved = set.pagesSharing - (set.tunables.useZeroPages ? 0 : set.zeroOnlySavedPages)
                text += "expected at t\(set.step): \(set.pages) pages, \(set.zeroPages) zero, "
                text += "\(set.distinctContents) distinct"
                text += String(
                    format: ", pages_sharing %d (%.1f%%); non-zero pages saved %.1f%%\n",
                    set.pagesSharing, Double(set.pagesSharing) * 100 / Double(max(1, set.pages)),
                    Double(nonZeroSaved) * 100 / Double(max(1, nonZero)))
            }
            let pageSize = plan.pageSize == 4096 ? "" : " --page-size \(plan.pageSize)"
            let pattern = steps > 0 ? "*.t0.img" : "*.img"
            text += "check with: ksmscope scan\(pageSize) \(summary.directory)/\(pattern)  (counts in expected.json)\n"
            return text
        }
    }
}
