#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch

/// Checks ``SteadyStateScan``'s prediction against the real ksmd on the same memory.
///
/// It loads each image into its own child process (``PageHolder``) in input order, lets ksmd
/// run fast until its counters stay the same over several full scans, and compares the
/// converged counters, global and per process. Every KSM setting it changes is restored, also
/// on failure and on interruption (``KSMSettingsGuard``). ksmd is global, so it refuses to run
/// while other processes use KSM.
public struct KernelVerifier: Sendable {
    /// The sysfs folder of the KSM to drive.
    public var sysfs = KSMSysfs()
    /// ksmd's batch size while verifying.
    public var pagesToScan = 20_000
    /// ksmd's sleep between batches while verifying.
    public var sleepMilliseconds = 10
    /// Full scans to wait before reading converged counters.
    public var minimumFullScans = 4
    /// Consecutive full scans the converged counters must stay unchanged over.
    public var stableFullScans = 4
    /// How long to wait for convergence.
    public var timeoutSeconds = 300.0

    /// Creates a verifier with defaults that converge in seconds for tens of MiB.
    public init() {}

    /// Predicts, runs the kernel and compares.
    ///
    /// - Throws: ``KernelError`` when the kernel cannot be driven here or does not settle.
    public func verify(_ images: [any PageSource], scan: SteadyStateScan) throws -> KernelComparison {
        if let reason = sysfs.unavailableReason { throw KernelError.unavailable(reason: reason) }
        let kernelPage = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard kernelPage == scan.configuration.pageSize.bytes else {
            throw KernelError.pageSizeMismatch(kernel: kernelPage, scan: scan.configuration.pageSize.bytes)
        }
        let others = KSMUsers.find(excluding: [getpid()])
        guard others.isEmpty else { throw KernelError.inUse(pids: others) }

        let predicted = try scan.run(images)
        let settings = try KSMSettingsGuard(sysfs: sysfs)
        defer { settings.restore() }
        try settings.apply([
            ("max_page_sharing", "\(scan.tunables.maxPageSharing)"),
            ("use_zero_pages", scan.tunables.useZeroPages ? "1" : "0"),
            ("merge_across_nodes", "1"),
            ("pages_to_scan", "\(pagesToScan)"),
            ("sleep_millisecs", "\(sleepMilliseconds)"),
        ])
        var holders: [PageHolder] = []
        for image in images {
            let holder = try PageHolder(source: image)
            settings.adopt(holder)
            holders.append(holder)
        }
        try sysfs.write("run", "1")
        let (counters, seconds) = try waitForConvergence()
        let stats = try holders.map { try $0.ksmStat() }
        try sysfs.write("run", "0")
        return KernelComparison(predicted: predicted, kernel: counters, processes: stats, seconds: seconds)
    }

    /// Polls until the converged counters have not changed for ``stableFullScans`` full scans.
    private func waitForConvergence() throws -> (KSMCounters, Double) {
        let start = DispatchTime.now()
        var readings: [KSMCounters] = []
        var lastScan = -1
        while true {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            let fullScans = try sysfs.readInt("full_scans")
            if fullScans != lastScan {
                lastScan = fullScans
                readings.append(try sysfs.counters())
                let recent = readings.suffix(stableFullScans + 1)
                if fullScans >= minimumFullScans, recent.count == stableFullScans + 1,
                    Set(recent.map(\.settled)).count == 1
                {
                    return (readings[readings.count - 1], elapsed)
                }
            }
            guard elapsed < timeoutSeconds else { throw KernelError.notConverged(seconds: elapsed, fullScans: fullScans) }
            usleep(5_000)
        }
    }
}
