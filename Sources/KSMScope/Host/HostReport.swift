/// What `ksmscope host` prints: the host, every check, and a summary. The JSON contract of
/// `ksmscope host --format json`.
public struct HostReport: Sendable, Equatable, Codable {
    /// The host the checks read.
    public var host: Host
    /// Every check, area by area (`virtualization`, `huge_pages`, `ksm`, `qemu`, `overcommit`).
    public var checks: [HostCheck]
    /// The counts of each verdict and the worst one.
    public var summary: Summary

    /// The host the checks read.
    public struct Host: Sendable, Equatable, Codable {
        /// The kernel release (`/proc/sys/kernel/osrelease`); null when unreadable.
        public var kernel: String?
        /// The base page size in bytes.
        public var pageSize: Int
        /// The folder read as `/sys`.
        public var sysfsRoot: String
        /// The folder read as `/proc`.
        public var procRoot: String

        enum CodingKeys: String, CodingKey {
            case kernel
            case pageSize = "page_size"
            case sysfsRoot = "sysfs_root"
            case procRoot = "proc_root"
        }
    }

    /// How the checks came out.
    public struct Summary: Sendable, Equatable, Codable {
        /// Checks that are as they should be.
        public var ok: Int
        /// Checks worth a look (they do not change the exit status).
        public var warn: Int
        /// Checks that failed (any makes the exit status 1).
        public var fail: Int
        /// The worst verdict: `fail` if any check failed, else `warn` if any warned, else `ok`.
        public var status: HostCheck.Status
    }

    /// The report of `inspection`'s checks.
    public init(_ inspection: HostInspection) {
        let checks = inspection.checks
        host = Host(
            kernel: inspection.kernelRelease.value, pageSize: inspection.pageBytes,
            sysfsRoot: inspection.roots.sysfs.isEmpty ? "/" : inspection.roots.sysfs,
            procRoot: inspection.roots.proc.isEmpty ? "/" : inspection.roots.proc)
        self.checks = checks
        summary = Summary(
            ok: checks.filter { $0.status == .ok }.count, warn: checks.filter { $0.status == .warn }.count,
            fail: checks.filter { $0.status == .fail }.count, status: checks.map(\.status).max() ?? .ok)
    }

    /// Whether no check failed (exit status 0).
    public var passed: Bool { summary.fail == 0 }
}
