#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
    /// Consecutive full scans the converged counters, global and per process, must stay
    /// unchanged over.
    public var stableFullScans = 4
    /// How long to wait for convergence.
    public var timeoutSeconds = 300.0
    /// Called with the other job's pid when another job drives ksmd and this one waits for it.
    public var waiting: @Sendable (Int32?) -> Void = { _ in }

    /// Creates a verifier with defaults that converge in seconds for tens of MiB.
    public init() {}

    /// Predicts, runs the kernel and compares.
    ///
    /// The kernel side is a timeline of one snapshot per image (``KernelTimelineRun``), which
    /// checks that KSM is usable and unused, holds the images in input order, restores every
    /// setting, and waits until ksmd has settled.
    ///
    /// - Throws: ``KernelError`` when the kernel cannot be driven here or does not settle.
    public func verify(_ images: [any PageSource], scan: SteadyStateScan) throws -> KernelComparison {
        let kernelPage = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard kernelPage == scan.configuration.pageSize.bytes else {
            throw KernelError.pageSizeMismatch(kernel: kernelPage, scan: scan.configuration.pageSize.bytes)
        }
        // The kernel needs the pages themselves: a fingerprint holds none.
        if let print = images.first(where: { $0 is FingerprintImage }) {
            throw FingerprintError.noPageBytes(path: print.path, need: "verify-kernel")
        }
        let predicted = try scan.run(images)
        var run = KernelTimelineRun()
        run.sysfs = sysfs
        run.pagesToScan = pagesToScan
        run.sleepMilliseconds = sleepMilliseconds
        run.settleFullScans = stableFullScans
        run.timeoutSeconds = timeoutSeconds
        run.waiting = waiting
        let record = try run.run(guests: images.map { [$0] }, tunables: scan.tunables)
        guard let settled = record.scans.last else {
            throw KernelError.notConverged(seconds: record.seconds, fullScans: 0)
        }
        return KernelComparison(
            predicted: predicted, kernel: settled.counters, processes: settled.processes, seconds: record.seconds)
    }
}
