import ArgumentParser
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope scan`: the steady state ksmd reaches on static images.
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict the KSM counters ksmd converges to if these guests ran on one host.",
            discussion: """
                Each file is one guest's memory image (raw). Pages are hashed with XXH64 (seed 0), \
                grouped by hash and confirmed byte for byte, then merged with the kernel's rules: \
                max_page_sharing chains, leftover single copies, use_zero_pages.

                Live processes (--pid, --qemu) are images too, after the files: each process's \
                selected memory is read in address order through /proc/PID/maps and /proc/PID/mem, \
                read-only, without stopping the process. A live read is NOT an atomic snapshot: \
                pages the process changes meanwhile are seen at different moments (pause a QEMU \
                guest with the QMP/HMP command 'stop' for a consistent picture). Selected: each \
                private (not shared), read-write, non-executable, anonymous mapping (no file; \
                [heap], [stack] and [anon:*] count) of at least --min-mapping-size. Needs ptrace \
                rights over the process (root, or its owner where kernel.yama.ptrace_scope allows). \
                The report adds, per process, what KSM already does for it: /proc/PID/ksm_stat and, \
                as root, how many selected pages are KSM pages now.
                """
        )

        @OptionGroup var scan: ImageScanOptions<LiveOptions>

        @Option(name: .customLong("format"), help: "Output format: text, json or csv (per-image table).")
        var format: ReportFormat = .text

        @Option(name: .customLong("domains"), help: "File of 'PATH-OR-GLOB DOMAIN' lines: adds the domain merge policy.")
        var domains: String?

        func run() throws {
            let report = try CommandFailure.reporting {
                let job = SteadyStateScan(
                    configuration: try scan.configuration(), tunables: try scan.tunables(),
                    domainRules: try domains.map { try MergeDomains.rules(fromFile: $0) })
                let files = try ImagePaths.open(
                    try ImagePaths.expand(scan.paths), pageSize: job.configuration.pageSize,
                    keepGoing: job.configuration.keepGoing)
                let images = files + (try scan.extra.images(pageSize: job.configuration.pageSize) as [any PageSource])
                let counter = ProgressCounter(total: images.reduce(0) { $0 + $1.pageCount })
                let bar = ProgressBar.start(counter: counter, label: "scan", unitBytes: scan.pageSize, quiet: scan.quiet)
                defer { bar?.finish() }
                return try job.run(images, progress: counter)
            }
            switch format {
            case .text: try ReportDestination.standardOutput.write(report.text)
            case .json: try ReportDestination.standardOutput.write(try ReportJSON.encode(report))
            case .csv: try ReportDestination.standardOutput.write(report.csv)
            }
        }
    }
}
