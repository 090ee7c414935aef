import ArgumentParser
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
                """
        )

        @OptionGroup var scan: ScanOptions

        @Option(name: .customLong("format"), help: "Output format: text or json.")
        var format: ReportFormat = .text

        @Option(name: .customLong("timeout"), help: "Seconds to wait for ksmd to settle.")
        var timeout = 300.0

        @Option(name: .customLong("pages-to-scan"), help: "ksmd's pages_to_scan while verifying.")
        var pagesToScan = 20_000

        @Option(name: .customLong("sleep-millisecs"), help: "ksmd's sleep_millisecs while verifying.")
        var sleepMilliseconds = 10

        func validate() throws {
            guard format != .csv else { throw ValidationError("--format csv is not offered by verify-kernel; use text or json") }
            guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
            guard pagesToScan > 0 else { throw ValidationError("--pages-to-scan must be positive") }
            guard sleepMilliseconds >= 0 else { throw ValidationError("--sleep-millisecs must not be negative") }
        }

        func run() throws {
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
    }
}
