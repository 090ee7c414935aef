/// A problem driving or reading the kernel's KSM.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// /sys/kernel/mm/ksm is missing (kernel without CONFIG_KSM) or not writable (not root).
    case unavailable(reason: String)
    /// A sysfs file could not be read or parsed.
    case cannotRead(path: String, reason: String)
    /// A sysfs file refused a value.
    case cannotWrite(path: String, value: String, reason: String)
    /// Other processes have memory registered with KSM, so the global counters are not ours.
    case inUse(pids: [Int32])
    /// The kernel's base page differs from the scan's page size.
    case pageSizeMismatch(kernel: Int, scan: Int)
    /// A process holding an image's pages could not be started.
    case cannotHold(path: String, reason: String)
    /// ksmd did not settle within the time allowed.
    case notConverged(seconds: Double, fullScans: Int)
    /// A full scan ran while the verifier expected ksmd to sleep (its readings or writes would
    /// not sit between two full scans).
    case missedFullScan(expected: Int, found: Int)
    /// The lock file that keeps two jobs from driving ksmd at once cannot be used.
    case cannotLock(path: String, reason: String)
    /// Another job kept ksmd for longer than the wait allowed.
    case busy(pid: Int32?)
    /// No `ksmd` kernel thread was found in the proc file system.
    case noKsmd(procRoot: String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "kernel KSM unavailable: \(reason)"
        case .cannotRead(let path, let reason): "\(path): cannot read: \(reason)"
        case .cannotWrite(let path, let value, let reason): "\(path): cannot write \(value): \(reason)"
        case .inUse(let pids):
            "other processes use KSM (pids \(pids.map(String.init).joined(separator: ", "))): their pages would pollute the kernel's global counters"
        case .pageSizeMismatch(let kernel, let scan):
            "the kernel's page size is \(kernel) bytes but the scan uses \(scan)"
        case .cannotHold(let path, let reason): "\(path): cannot load into KSM-mergeable memory: \(reason)"
        case .notConverged(let seconds, let fullScans):
            "ksmd's counters did not settle within \(Int(seconds)) s (\(fullScans) full scans)"
        case .missedFullScan(let expected, let found):
            "expected ksmd to sleep after full scan \(expected) but it reached \(found): raise sleep_millisecs"
        case .cannotLock(let path, let reason): "\(path): cannot take the ksmd lock: \(reason)"
        case .busy(let pid):
            "another job drives ksmd\(pid.map { " (pid \($0))" } ?? ""): waited too long for it to finish"
        case .noKsmd(let procRoot): "\(procRoot): no ksmd kernel thread (kernel built without CONFIG_KSM?)"
        }
    }
}
