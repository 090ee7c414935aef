import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope host`: the checks an operator of a KVM host runs by hand, with their fixes.
    struct Host: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check this KVM host for KSM: hardware paging, huge pages, KSM settings, QEMU guests, overcommit.",
            discussion: """
                Reads /sys and /proc only (nothing is changed) and prints one line per check with its \
                verdict (ok, warn, fail), what was read, what it means and the command that fixes it. \
                Areas: hardware memory virtualization (EPT/VPID or NPT in the CPU flags and the kvm \
                module), huge pages (transparent, khugepaged, hugetlbfs pools), KSM (run, every \
                tunable, the advisor, the counters, general_profit, ksmd's CPU time), each running \
                QEMU process (ksm_stat, mem-merge=off, hugetlbfs or shared RAM, virtio-balloon) and \
                overcommit (swap, vm.swappiness, vm.overcommit_memory, and the memory that unmerging \
                with 'echo 2 > /sys/kernel/mm/ksm/run' would need now).

                Run as root to read every process's ksm_stat and smaps. Exit status: 0 when no check \
                fails (warnings do not count), 1 when any fails, 64 for invalid options.
                """
        )

        @Option(name: .customLong("format"), help: "Output format: text or json.")
        var format: ReportFormat = .text

        @Option(
            name: .customLong("sysfs-root"),
            help: ArgumentHelp("Folder read as /sys (a copy of another host's, or a test tree).", valueName: "DIR"))
        var sysfsRoot = "/sys"

        @Option(name: .customLong("proc-root"), help: ArgumentHelp("Folder read as /proc.", valueName: "DIR"))
        var procRoot = "/proc"

        func validate() throws {
            guard format != .csv else { throw ValidationError("--format csv is not offered by host; use text or json") }
            for (option, path) in [("--sysfs-root", sysfsRoot), ("--proc-root", procRoot)] {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                    throw ValidationError("\(option) \(path): no such folder")
                }
            }
        }

        func run() throws {
            let report = HostReport(HostInspection.read(HostRoots(sysfs: sysfsRoot, proc: procRoot)))
            try ReportDestination.standardOutput.write(format == .json ? try ReportJSON.encode(report) : report.text)
            if !report.passed { throw ExitCode.failure }
        }
    }
}
