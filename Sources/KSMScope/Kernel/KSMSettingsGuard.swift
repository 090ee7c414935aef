#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Synchronization

/// Changes ksmd's tunables for the length of a job and puts every one back afterwards: when the
/// job ends, when it fails, and on SIGINT, SIGTERM or SIGHUP.
///
/// Restoring first ends the processes holding pages for the job and writes `run` 2 (unmerge
/// everything), because the kernel refuses `max_page_sharing` and `merge_across_nodes` while
/// KSM pages exist.
public final class KSMSettingsGuard: Sendable {
    /// The sysfs folder being changed.
    public let sysfs: KSMSysfs
    /// The values found before the job, by name.
    public let saved: [String: String]
    private let state = Mutex<State>(State())

    private struct State {
        var holders: [PageHolder] = []
        var restored = false
        /// The machine-wide right to drive ksmd, released once everything is restored.
        var lock: KSMDriverLock?
        /// Restores on SIGINT, SIGTERM and SIGHUP until restored.
        var interrupt: InterruptCleanup.Registration?
    }

    /// The knobs saved and restored, in the order they are written back (advisor last but one,
    /// `run` last: setting the advisor resets pages_to_scan, and pages_to_scan is refused while
    /// the advisor is on).
    static let knobs = [
        "pages_to_scan", "sleep_millisecs", "max_page_sharing", "use_zero_pages", "smart_scan",
        "merge_across_nodes", "stable_node_chains_prune_millisecs", "advisor_max_cpu", "advisor_target_scan_time",
        "advisor_min_pages_to_scan", "advisor_max_pages_to_scan", "advisor_mode", "run",
    ]

    /// Takes the machine-wide ``KSMDriverLock`` (waiting while another job drives ksmd), checks
    /// that no other process uses KSM, saves the current values and registers for restoring on
    /// signals.
    ///
    /// - Parameter waiting: called with the other job's pid if the lock is busy.
    /// - Throws: ``KernelError/inUse(pids:)`` when other processes have memory registered with
    ///   KSM: restoring writes `run` 2, which would unmerge their pages too.
    public init(sysfs: KSMSysfs, waiting: (Int32?) -> Void = { _ in }) throws(KernelError) {
        if let reason = sysfs.unavailableReason { throw .unavailable(reason: reason) }
        // Check and read the values to restore only once no other job can be changing them.
        let lock = try KSMDriverLock(waiting: waiting)
        let others = KSMUsers.find(excluding: [getpid()])
        guard others.isEmpty else { throw .inUse(pids: others) }
        self.sysfs = sysfs
        var saved: [String: String] = [:]
        for knob in Self.knobs where sysfs.has(knob) { saved[knob] = try sysfs.read(knob) }
        self.saved = saved
        let interrupt = InterruptCleanup.register { [weak self] in self?.restore() }
        state.withLock { state in
            state.lock = lock
            state.interrupt = interrupt
        }
    }

    /// Stops ksmd, unmerges everything and applies `settings` (name, value) in order.
    public func apply(_ settings: [(String, String)]) throws(KernelError) {
        try sysfs.write("run", "2")
        if sysfs.has("advisor_mode") { try sysfs.write("advisor_mode", "none") }
        for (name, value) in settings where sysfs.has(name) { try sysfs.write(name, value) }
    }

    /// Keeps a holder process to be ended on restore.
    public func adopt(_ holder: PageHolder) {
        state.withLock { $0.holders.append(holder) }
    }

    /// Ends the holders adopted so far (their pages leave KSM), without restoring settings.
    public func releaseHolders() {
        let holders = state.withLock { state in
            defer { state.holders.removeAll() }
            return state.holders
        }
        for holder in holders { holder.end() }
    }

    /// Ends the holders and writes every saved value back. Safe to call more than once.
    public func restore() {
        let first = state.withLock { state in
            defer { state.restored = true }
            return !state.restored
        }
        guard first else { return }
        releaseHolders()
        try? sysfs.write("run", "2")
        if sysfs.has("advisor_mode") { try? sysfs.write("advisor_mode", "none") }
        for knob in Self.knobs {
            guard let value = saved[knob], knob != "run" else { continue }
            // max_page_sharing is refused (EBUSY) while unmerging is still freeing KSM pages.
            for attempt in 0..<50 {
                if (try? sysfs.write(knob, value)) != nil || (try? sysfs.read(knob)) == value { break }
                if attempt < 49 { usleep(20_000) }
            }
        }
        if let run = saved["run"] { try? sysfs.write("run", run) }
        let interrupt = state.withLock { state in
            state.lock = nil
            defer { state.interrupt = nil }
            return state.interrupt
        }
        interrupt?.cancel()
    }

    deinit { restore() }
}
