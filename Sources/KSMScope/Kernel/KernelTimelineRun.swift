#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch

/// Drives the real ksmd through a timeline: each guest's snapshot 0 is loaded into its own
/// holder process; once ksmd has settled, the pages that differ in snapshot 1 are written into
/// the same memory, and so on. Every full scan's counters are recorded.
///
/// Writes land exactly between two full scans, so a simulator can replay them at the same
/// point: `pages_to_scan` is set above the page count, which makes every ksmd batch one whole
/// full scan, and the writes are made while ksmd sleeps right after `full_scans` moved (the run
/// fails if a full scan started meanwhile).
public struct KernelTimelineRun: Sendable {
    /// The sysfs folder of the KSM to drive.
    public var sysfs = KSMSysfs()
    /// ksmd's sleep between batches: the window for a step's writes.
    public var sleepMilliseconds = 100
    /// ksmd's batch size; nil for one more than the pages, which makes every batch one whole
    /// full scan (needed for writes between full scans; a single snapshot can do without).
    public var pagesToScan: Int?
    /// Full scans the converged counters must stay unchanged over before the next step.
    /// After copy-on-write, smart_scan's growing skip intervals delay re-merging for several
    /// scans, so fewer than about 30 stops too early.
    public var settleFullScans = 30
    /// Whether ksmd's smart_scan is on.
    public var smartScan = true
    /// How long one step may take to settle.
    public var timeoutSeconds = 300.0
    /// Called with the other job's pid when another job drives ksmd and this run waits for it.
    public var waiting: @Sendable (Int32?) -> Void = { _ in }

    /// Creates a run with defaults that settle in seconds for tens of MiB.
    public init() {}

    /// One reading, taken right after a full scan ended.
    public struct Reading: Sendable, Equatable {
        /// The global counters.
        public var counters: KSMCounters
        /// Each holder's `/proc/PID/ksm_stat`, in guest order.
        public var processes: [[String: Int]]
    }

    /// What the kernel did over the whole timeline.
    public struct Record: Sendable, Equatable {
        /// The reading after each full scan: index 0 is full scan 1.
        public var scans: [Reading]
        /// For each snapshot, the full scan count after which it was in memory (0 for the first).
        public var appliedAfter: [Int]
        /// For each snapshot, the full scan count at which ksmd had settled on it.
        public var settledAt: [Int]
        /// Pages written for each snapshot (0 for the first).
        public var pagesWritten: [Int]
        /// Seconds from starting ksmd until it had settled on the last snapshot.
        public var seconds: Double = 0
    }

    /// Runs `guests` (each a list of snapshots of equal page counts, in time order) through
    /// ksmd with `tunables`, restoring every setting afterwards.
    ///
    /// - Throws: ``TimelineError/unequalSnapshots(guest:pages:)`` when a guest's snapshots differ
    ///   in page count, ``KernelError`` when the kernel cannot be driven or does not settle.
    public func run(guests: [[any PageSource]], tunables: KSMTunables) throws -> Record {
        try Self.checkEqualSnapshots(guests)
        let steps = guests.map(\.count).min() ?? 0
        let totalPages = guests.reduce(0) { $0 + ($1.first?.pageCount ?? 0) }

        let settings = try KSMSettingsGuard(sysfs: sysfs, waiting: waiting)
        defer { settings.restore() }
        try settings.apply([
            ("max_page_sharing", "\(tunables.maxPageSharing)"),
            ("use_zero_pages", tunables.useZeroPages ? "1" : "0"),
            ("merge_across_nodes", "1"),
            ("smart_scan", smartScan ? "1" : "0"),
            ("pages_to_scan", "\(pagesToScan ?? totalPages + 1)"),
            ("sleep_millisecs", "\(sleepMilliseconds)"),
        ])
        var holders: [PageHolder] = []
        for guest in guests {
            let holder = try PageHolder(source: guest[0])
            settings.adopt(holder)
            holders.append(holder)
        }
        var record = Record(scans: [], appliedAfter: [0], settledAt: [], pagesWritten: [0])
        try sysfs.write("run", "1")
        let start = DispatchTime.now()
        var lastScan = 0
        var stepStart = 0
        var stepClock = DispatchTime.now()
        while true {
            let fullScans = try sysfs.readInt("full_scans")
            if fullScans != lastScan {
                // A batch is one whole full scan: ksmd now sleeps for sleepMilliseconds.
                guard fullScans == lastScan + 1 else { throw KernelError.missedFullScan(expected: lastScan + 1, found: fullScans) }
                lastScan = fullScans
                record.scans.append(Reading(counters: try sysfs.counters(), processes: try holders.map { try $0.ksmStat() }))
                if isSettled(record.scans, since: stepStart) {
                    record.settledAt.append(fullScans)
                    let step = record.settledAt.count
                    guard step < steps else { break }
                    let written = try apply(step: step, guests: guests, holders: holders)
                    guard try sysfs.readInt("full_scans") == fullScans else {
                        throw KernelError.missedFullScan(expected: fullScans, found: try sysfs.readInt("full_scans"))
                    }
                    record.appliedAfter.append(fullScans)
                    record.pagesWritten.append(written)
                    stepStart = fullScans
                    stepClock = DispatchTime.now()
                }
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - stepClock.uptimeNanoseconds) / 1e9
            guard elapsed < timeoutSeconds else { throw KernelError.notConverged(seconds: elapsed, fullScans: fullScans) }
            usleep(500)
        }
        try sysfs.write("run", "0")
        record.seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return record
    }

    /// Refuses guests whose snapshots differ in page count: each later snapshot is written into
    /// the memory holding the first, page by page.
    public static func checkEqualSnapshots(_ guests: [[any PageSource]]) throws(TimelineError) {
        for guest in guests {
            let pages = guest.map(\.pageCount)
            guard Set(pages).count <= 1 else {
                throw .unequalSnapshots(guest: guest.first?.path ?? "", pages: pages)
            }
        }
    }

    /// Whether the converged counters (global and per process) have stayed the same over the
    /// last ``settleFullScans`` full scans of the current step.
    private func isSettled(_ scans: [Reading], since stepStart: Int) -> Bool {
        guard scans.count - stepStart > settleFullScans else { return false }
        let recent = scans.suffix(settleFullScans + 1)
        let first = recent.first!
        return recent.allSatisfy { $0.counters.settled == first.counters.settled && $0.processes == first.processes }
    }

    /// Writes the pages of snapshot `step` that differ from snapshot `step - 1`.
    private func apply(step: Int, guests: [[any PageSource]], holders: [PageHolder]) throws -> Int {
        var written = 0
        for (guest, holder) in zip(guests, holders) {
            let before = try guest[step - 1].makeReader()
            let after = try guest[step].makeReader()
            let pageSize = guest[step].pageSize.bytes
            for page in 0..<guest[step].pageCount {
                let new = try after.page(page)
                guard !PageAccess.equal(try before.page(page), new) else { continue }
                try holder.write(new, at: page * pageSize)
                written += 1
            }
        }
        return written
    }
}
