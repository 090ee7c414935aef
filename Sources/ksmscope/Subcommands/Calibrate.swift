import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope calibrate`: measure ksmd's costs on this host and write a profile.
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure what ksmd's work costs on this host and write a cost profile for --profile.",
            discussion: """
                As root with KSM available, drives the real ksmd on generated workloads (all-unique pages, copies \
                of few contents, zero pages, a mix; several pages_to_scan and sleep_millisecs; smart_scan on and \
                off), reads its CPU time from /proc/PID/schedstat and the wall time of every full scan, and fits \
                the simulator's cost coefficients to them. Refuses while other processes use KSM; every KSM \
                setting is restored afterwards, also on failure and on Ctrl-C. Without root or KSM, estimates \
                the profile from userspace page timings instead, and says so.
                """)

        @Option(name: .customLong("out"), help: ArgumentHelp("Write the profile (JSON) to this file.", valueName: "profile"))
        var out: String?

        @Flag(name: .customLong("quick"), help: "A shorter, coarser calibration (under a minute).")
        var quick = false

        @Option(
            name: .customLong("repeat"),
            help: ArgumentHelp(
                "Passes over the whole plan, fitted together; the profile says how much ksmd's CPU for the same work "
                    + "varied between them (default 2, 1 with --quick).", valueName: "n"))
        var repeats: Int?

        @Option(name: .customLong("format"), help: "Output format: text or json (the profile).")
        var format: ReportFormat = .text

        @Flag(name: .customLong("quiet"), help: "No progress bar on standard error.")
        var quiet = false

        func validate() throws {
            guard format != .csv else { throw ValidationError("--format csv is not offered by calibrate; use text or json") }
            if let repeats, !(1...10).contains(repeats) {
                throw ValidationError("--repeat must be from 1 to 10 passes (got \(repeats))")
            }
        }

        /// Passes over the plan: two by default, so the profile measures the host's noise too.
        var passes: Int { repeats ?? (quick ? 1 : 2) }

        func run() throws {
            let profile = try CommandFailure.reporting {
                let sysfs = KSMSysfs()
                if let reason = sysfs.unavailableReason {
                    var standardError = StandardError()
                    print("ksmscope: \(reason): estimating from userspace timings instead", to: &standardError)
                    return Calibrator.estimate()
                }
                var calibrator = Calibrator(plan: .standard(quick: quick, hz: HostDescription.configuredHZ() ?? 250))
                calibrator.waiting = { pid in
                    var standardError = StandardError()
                    let holder = pid.map { " (pid \($0))" } ?? ""
                    print("ksmscope: waiting for another job that drives ksmd\(holder) to finish", to: &standardError)
                }
                let progress = ProgressCounter()
                let bar = ProgressBar.start(counter: progress, label: "calibrate", unit: .fullScans, quiet: quiet)
                defer { bar?.finish() }
                return try calibrator.calibrate(quick: quick, repeats: passes, progress: progress)
            }
            let json = try profile.encoded()
            if let out { try ReportDestination.file(out).write(json) }
            try ReportDestination.standardOutput.write(format == .json ? json : profile.text)
        }
    }
}
