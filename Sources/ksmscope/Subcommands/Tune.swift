import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope tune`: the ksmd setting that buys the saving at the CPU cost asked for.
    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sweep ksmd's settings with the simulator and recommend one for a CPU budget and a deadline.",
            discussion: """
                For every pages_to_scan, sleep_millisecs and smart_scan tried (and the kernel's scan-time advisor), \
                predicts ksmd's CPU (percent of one CPU, converging and steady), the time to 50/90/99/100 % of the \
                converged saving and the saving at steady state, priced with the cost profile (--profile, from \
                'ksmscope calibrate'; default: the built-in profile). Puts the advisor and ksmtuned's loop beside them \
                and recommends the setting that meets --cpu-budget and --converge-within (default: at most 10 % of \
                one CPU), with the lines that apply it. --pages-to-scan and --sleep-millisecs add a setting to the \
                sweep; --smart-scan sweeps that value only; the advisor's knobs set the advisor modelled.
                """)

        @OptionGroup var profile: ProfileOptions

        @Option(
            name: .customLong("cpu-budget"),
            help: ArgumentHelp("ksmd's CPU at most this percent of one CPU, converging and steady.", valueName: "percent"))
        var cpuBudget: Double?

        @Option(
            name: .customLong("converge-within"),
            help: ArgumentHelp("The saving converged within this long: 90, 90s, 5m, 1.5h, 2d.", valueName: "duration"))
        var convergeWithin: DurationArgument?

        @Option(
            name: .customLong("host-memory"),
            help: ArgumentHelp("The host's memory for ksmtuned's model (default: this host's MemTotal).", valueName: "size"))
        var hostMemory: ByteCount?

        @Option(
            name: .customLong("free-memory"),
            help: ArgumentHelp(
                "Free memory with the guests running, before KSM, for ksmtuned's model (default: this host's "
                    + "MemFree + Buffers + Cached).", valueName: "size"))
        var freeMemory: ByteCount?

        @OptionGroup(title: "Merge tunables") var merge: MergeOptions

        @OptionGroup(title: "ksmd tunables") var ksmd: KsmdOptions

        @OptionGroup var timeline: TimelineOptions

        @OptionGroup var read: ReadOptions

        @OptionGroup var scale: ScaleOptions

        @Option(name: .customLong("format"), help: "Output format: text, json or csv (the settings table).")
        var format: ReportFormat = .text

        @Argument(help: "Image files, folders of images, or timeline.json manifests (or folders holding one).")
        var inputs: [String] = []

        func validate() throws {
            guard scale.sample == nil else {
                throw ValidationError("--sample: tune needs every page (ksmd is simulated page by page); 'ksmscope scan' and 'ksmscope plan' take --sample")
            }
            try timeline.requireGuests(paths: inputs)
            if let cpuBudget, !(cpuBudget > 0 && cpuBudget.isFinite) {
                throw ValidationError("--cpu-budget must be a positive percentage (got \(cpuBudget))")
            }
            if let convergeWithin, !(convergeWithin.seconds > 0) {
                throw ValidationError("--converge-within must be positive")
            }
            if let hostMemory, hostMemory.bytes <= 0 { throw ValidationError("--host-memory must be positive") }
            if let freeMemory, let hostMemory, freeMemory.bytes > hostMemory.bytes {
                throw ValidationError("--free-memory cannot exceed --host-memory")
            }
            if ksmd.advisorMode != .none {
                throw ValidationError("--advisor-mode: tune always models the scan-time advisor beside the settings it sweeps")
            }
            try timeline.requireStepScans()
        }

        func run() throws {
            let report = try CommandFailure.reporting {
                let profile = try profile.load(pageSize: read.pageSize)
                let tunables = try ksmd.tunables(merging: try merge.tunables(), defaultHZ: profile.host.hz)
                var tuner = KsmdTuner(
                    profile: profile, tunables: tunables, kernel: ksmd.kernelVersion,
                    goal: TuneGoal(cpuBudgetPercent: cpuBudget, convergeWithinSeconds: convergeWithin?.seconds),
                    hostMemoryBytes: hostMemory?.bytes, freeMemoryBytes: freeMemory?.bytes)
                if let pages = ksmd.pagesToScan { tuner.pagesToScanValues = Array(Set(tuner.pagesToScanValues + [pages])).sorted() }
                if let sleep = ksmd.sleepMillisecs { tuner.sleepValues = Array(Set(tuner.sleepValues + [sleep])).sorted() }
                if let smart = ksmd.smartScan { tuner.smartScanValues = [smart == 1] }
                let guests = try timeline.inputs(paths: inputs).guests(pageSize: read.pageSize)
                let reading = ProgressCounter()
                let tuning = ProgressCounter()
                var bar = ProgressBar.start(counter: reading, label: "read", unitBytes: read.pageSize, quiet: read.quiet)
                defer { bar?.finish() }
                let contents = try KSMSimulation.contents(
                    of: guests, configuration: try scale.configuration(reading: read),
                    stateBytesPerPage: KsmdTuner.stateBytesPerPage, progress: reading)
                bar?.finish()
                bar = ProgressBar.start(counter: tuning, label: "tune", unit: .fullScans, quiet: read.quiet)
                return try tuner.sweep(contents: contents, guests: guests, pageSize: read.pageSize, progress: tuning)
            }
            let output = ReportDestination.standardOutput
            switch format {
            case .text: try output.write(report.text)
            case .json: try output.write(try ReportJSON.encode(report))
            case .csv: try output.write(report.csv)
            }
        }
    }
}
