import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope simulate`: ksmd scan by scan, with copy-on-write.
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Simulate ksmd scan by scan on guest images or timelines: counters per full scan, time, CPU, copy-on-write.",
            discussion: """
                Each image is one guest (one process registered with KSM, in input order). A timeline is several \
                snapshots of one guest in time order: --timeline NAME=FILE0,FILE1,... with --step-scans K applies \
                snapshot i after i*K full scans; a timeline.json written by 'ksmscope generate --timeline' (or a \
                folder holding one) applies each snapshot at its time. Pages that differ between snapshots are \
                guest writes: merged pages get private copies and KSM's counters catch up when ksmd revisits them. \
                Tunables take the kernel's names, defaults and limits.
                """
        )

        @OptionGroup(title: "Merge tunables") var merge: MergeOptions

        @OptionGroup(title: "ksmd tunables") var ksmd: KsmdOptions

        @OptionGroup var profile: ProfileOptions

        @Option(
            name: .customLong("costs"),
            help: ArgumentHelp(
                "JSON object of cost figures overriding the profile's (keys as in the report's settings.costs).",
                valueName: "file"))
        var costs: String?

        // MARK: Run

        @Option(
            name: .customLong("full-scans"),
            help: "Run until full_scans reaches N (default 20; timelines: until the last snapshot had its period).")
        var fullScans: Int?

        @Option(name: .customLong("seconds"), help: "Run for S simulated seconds instead.")
        var seconds: Double?

        @Option(name: .customLong("every"), help: "Also sample the counters every S simulated seconds.")
        var every: Double?

        @OptionGroup var timeline: TimelineOptions

        // MARK: Input and output

        @OptionGroup var read: ReadOptions

        @OptionGroup var scale: ScaleOptions

        @Option(name: .customLong("format"), help: "Output format: text, json or csv (the samples table).")
        var format: ReportFormat = .text

        @Argument(help: "Image files, folders of images, or timeline.json manifests (or folders holding one).")
        var inputs: [String] = []

        func validate() throws {
            guard scale.sample == nil else {
                throw ValidationError("--sample: simulate needs every page (ksmd is simulated page by page); 'ksmscope scan' and 'ksmscope plan' take --sample")
            }
            try timeline.requireGuests(paths: inputs)
            guard fullScans == nil || seconds == nil else {
                throw ValidationError("give --full-scans or --seconds, not both")
            }
            if let fullScans, fullScans < 1 { throw ValidationError("--full-scans must be at least 1") }
            if let seconds, !(seconds > 0 && seconds.isFinite) { throw ValidationError("--seconds must be positive") }
            if let every, !(every > 0 && every.isFinite) { throw ValidationError("--every must be positive") }
            try timeline.requireStepScans()
        }

        func run() throws {
            let report = try CommandFailure.reporting {
                var length = KSMSimulation.RunLength.automatic
                if let fullScans { length = .fullScans(fullScans) }
                if let seconds { length = .seconds(seconds) }
                var profile = try profile.load(pageSize: read.pageSize)
                if let costs {
                    profile.costs = try KSMCostProfile.load(path: costs, over: profile.costs)
                    profile.source += " with --costs \(costs)"
                }
                let job = KSMSimulation(
                    tunables: try ksmd.tunables(merging: try merge.tunables(), defaultHZ: profile.host.hz),
                    kernel: ksmd.kernelVersion, profile: profile, configuration: try scale.configuration(reading: read),
                    length: length, everySeconds: every)
                let guests = try timeline.inputs(paths: inputs).guests(pageSize: read.pageSize)
                let total = guests.reduce(0) { total, guest in
                    total + guest.snapshots.reduce(0) { $0 + Self.pages(of: $1.path, pageSize: read.pageSize) }
                }
                let reading = ProgressCounter(total: total)
                let simulating = ProgressCounter()
                var bar = ProgressBar.start(counter: reading, label: "read", unitBytes: read.pageSize, quiet: read.quiet)
                defer { bar?.finish() }
                let unit: ProgressBar.Unit =
                    if case .seconds = try job.length(for: guests) { .simulatedMilliseconds } else { .fullScans }
                return try job.run(guests: guests, progress: reading, simulationProgress: simulating) {
                    bar?.finish()
                    bar = ProgressBar.start(counter: simulating, label: "simulate", unit: unit, quiet: read.quiet)
                }
            }
            let output = ReportDestination.standardOutput
            switch format {
            case .text: try output.write(report.text)
            case .json: try output.write(try ReportJSON.encode(report))
            case .csv: try output.write(report.csv)
            }
        }

        /// Pages in a file, for the progress bar only (raw size over page size).
        private static func pages(of path: String, pageSize: Int) -> Int {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return size / pageSize
        }
    }
}
