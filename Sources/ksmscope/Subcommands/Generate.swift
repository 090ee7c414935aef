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

        @OptionGroup(title: "What expected.json's KSM counters are for") var merge: MergeOptions

        @Option(
            name: .customLong("threads"), parsing: .unconditional, help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
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
            if let threads, threads < 1 { throw ValidationError("--threads \(threads): must be at least 1") }
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
                    tunables: try merge.tunables(),
                    progress: counter)
                return (summary, plan)
            }
            try ReportDestination.standardOutput.write(summary.text(plan: plan))
        }
    }
}
