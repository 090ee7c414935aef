import ArgumentParser
import Foundation
import KSMScope

extension KernelVersion: ExpressibleByArgument {}
extension SimulatorTunables.AdvisorMode: ExpressibleByArgument {}

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

        // MARK: Tunables

        @Option(
            name: .customLong("pages-to-scan"),
            help: "pages_to_scan: pages per batch (default 100; set by the advisor when it is on).")
        var pagesToScan: Int?

        @Option(
            name: .customLong("sleep-millisecs"), help: "sleep_millisecs: sleep between batches, rounded up to jiffies."
        )
        var sleepMillisecs = 20

        @Option(
            name: .customLong("max-page-sharing"), help: "max_page_sharing: most mappings per KSM page (at least 2).")
        var maxPageSharing = 256

        @Flag(
            name: .customLong("use-zero-pages"), help: "use_zero_pages=1: all-zero pages map to the kernel's zero page."
        )
        var useZeroPages = false

        @Option(name: .customLong("smart-scan"), help: "smart_scan: 0 or 1.")
        var smartScan = 1

        @Option(
            name: .customLong("merge-across-nodes"),
            help: "merge_across_nodes: 0 or 1 (0: each guest is its own NUMA node).")
        var mergeAcrossNodes = 1

        @Option(name: .customLong("advisor-mode"), help: "advisor_mode: none or scan-time.")
        var advisorMode: SimulatorTunables.AdvisorMode = .none

        @Option(
            name: .customLong("advisor-target-scan-time"),
            help: "advisor_target_scan_time: seconds per full scan (at least 1).")
        var advisorTargetScanTime = 200

        @Option(name: .customLong("advisor-max-cpu"), help: "advisor_max_cpu: percent of a CPU.")
        var advisorMaxCPU = 70

        @Option(
            name: .customLong("advisor-min-pages-to-scan"),
            help: "advisor_min_pages_to_scan: pages_to_scan when the advisor starts.")
        var advisorMinPagesToScan = 500

        @Option(
            name: .customLong("advisor-max-pages-to-scan"),
            help: "advisor_max_pages_to_scan: the most pages_to_scan the advisor sets.")
        var advisorMaxPagesToScan = 30000

        @Option(name: .customLong("stable-node-chains-prune-millisecs"), help: "stable_node_chains_prune_millisecs.")
        var stableNodeChainsPruneMillisecs = 2000

        @Option(name: .customLong("hz"), help: "The kernel's timer frequency CONFIG_HZ: 100, 250, 300 or 1000.")
        var hz = 250

        @Option(
            name: .customLong("kernel"),
            help: "cmp_and_merge_page() order: 6.10 or 6.11 (default: the running kernel's, else 6.11).")
        var kernel: KernelVersion?

        @Option(
            name: .customLong("costs"),
            help: "JSON file of per-step CPU costs in nanoseconds (keys as in the report's settings.costs).")
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

        @Option(
            name: .customLong("timeline"),
            help: "NAME=FILE0,FILE1,...: snapshots of one guest in time order (repeatable).")
        var timelines: [String] = []

        @Option(name: .customLong("step-scans"), help: "Full scans between the snapshots of --timeline.")
        var stepScans: Int?

        // MARK: Input and output

        @Option(name: .customLong("page-size"), help: "Page size in bytes: a power of two of at least 512.")
        var pageSize = 4096

        @Option(name: .customLong("threads"), help: "Worker threads reading images (default: one per core).")
        var threads: Int?

        @Option(name: .customLong("format"), help: "Output format: text, json or csv (the samples table).")
        var format: ReportFormat = .text

        @Flag(name: .customLong("quiet"), help: "No progress bar on standard error.")
        var quiet = false

        @Argument(help: "Image files, folders of images, or timeline.json manifests (or folders holding one).")
        var inputs: [String] = []

        func validate() throws {
            guard !inputs.isEmpty || !timelines.isEmpty else {
                throw ValidationError("name at least one image, folder, timeline.json or --timeline")
            }
            guard fullScans == nil || seconds == nil else {
                throw ValidationError("give --full-scans or --seconds, not both")
            }
            if let fullScans, fullScans < 1 { throw ValidationError("--full-scans must be at least 1") }
            if let seconds, !(seconds > 0 && seconds.isFinite) { throw ValidationError("--seconds must be positive") }
            if let every, !(every > 0 && every.isFinite) { throw ValidationError("--every must be positive") }
            if !timelines.isEmpty {
                guard let stepScans else {
                    throw ValidationError("--timeline needs --step-scans K (full scans between snapshots)")
                }
                guard stepScans >= 1 else { throw ValidationError("--step-scans must be at least 1") }
                for timeline in timelines {
                    do { _ = try CommandLineTimelines.parse(timeline) } catch { throw ValidationError("\(error)") }
                }
            } else if stepScans != nil {
                throw ValidationError("--step-scans applies to --timeline only")
            }
            guard smartScan == 0 || smartScan == 1 else {
                throw ValidationError("--smart-scan \(smartScan): the kernel takes 0 or 1 (EINVAL)")
            }
            guard mergeAcrossNodes == 0 || mergeAcrossNodes == 1 else {
                throw ValidationError("--merge-across-nodes \(mergeAcrossNodes): the kernel takes 0 or 1 (EINVAL)")
            }
            do { _ = try tunables() } catch { throw ValidationError("\(error)") }
            do { _ = try PageSize(bytes: pageSize) } catch { throw ValidationError("--page-size: \(error)") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        }

        /// The tunables these options ask for.
        func tunables() throws -> SimulatorTunables {
            try SimulatorTunables(
                pagesToScan: pagesToScan, sleepMillisecs: sleepMillisecs, maxPageSharing: maxPageSharing,
                useZeroPages: useZeroPages, smartScan: smartScan == 1, mergeAcrossNodes: mergeAcrossNodes == 1,
                advisorMode: advisorMode, advisorTargetScanTime: advisorTargetScanTime, advisorMaxCPU: advisorMaxCPU,
                advisorMinPagesToScan: advisorMinPagesToScan, advisorMaxPagesToScan: advisorMaxPagesToScan,
                stableNodeChainsPruneMillisecs: stableNodeChainsPruneMillisecs, hz: hz)
        }

        func run() throws {
            let report = try CommandFailure.reporting {
                var configuration = ScanConfiguration(pageSize: try PageSize(bytes: pageSize))
                if let threads { configuration.threads = threads }
                var length = KSMSimulation.RunLength.automatic
                if let fullScans { length = .fullScans(fullScans) }
                if let seconds { length = .seconds(seconds) }
                let profile = try costs.map { path in
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw ValidationError("--costs \(path): cannot read the file")
                    }
                    return try KSMCostProfile.decode(json: data)
                }
                let job = KSMSimulation(
                    tunables: try tunables(), kernel: kernel ?? .running, costs: profile ?? .default,
                    configuration: configuration, length: length, everySeconds: every)
                let guests = try SimulationInputs.guests(
                    paths: inputs,
                    timelines: timelines.isEmpty
                        ? nil : CommandLineTimelines(specifications: timelines, stepScans: stepScans ?? 1),
                    pageSize: pageSize)
                let total = guests.reduce(0) { total, guest in
                    total + guest.snapshots.reduce(0) { $0 + Self.pages(of: $1.path, pageSize: pageSize) }
                }
                let counter = ProgressCounter(total: total)
                let bar = ProgressBar.start(counter: counter, label: "read", unitBytes: pageSize, quiet: quiet)
                defer { bar?.finish() }
                return try job.run(guests: guests, progress: counter)
            }
            switch format {
            case .text: StandardOutput.write(report.text)
            case .json: StandardOutput.write(try ReportJSON.encode(report))
            case .csv: StandardOutput.write(report.csv)
            }
        }

        /// Pages in a file, for the progress bar only (raw size over page size).
        private static func pages(of path: String, pageSize: Int) -> Int {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return size / pageSize
        }
    }
}
