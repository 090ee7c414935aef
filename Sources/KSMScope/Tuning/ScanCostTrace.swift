/// ksmd's CPU time after every page of one full scan, and where in the scan the saving first
/// reached each milestone: what one simulation records so that it can be re-timed for any
/// `pages_to_scan` and `sleep_millisecs` (``Retiming``).
///
/// Why this is exact: without guest writes and without the advisor, the sequence of ksmd's
/// page-level events over full scans does not depend on `pages_to_scan` or `sleep_millisecs`.
/// Batches only cut the same sequence at other places, and sleeps only move it in time. The
/// one exception is `stable_node_chains_prune_millisecs`, whose timing moves which lookups
/// examine a chain's every dup; the tests measure how little that changes.
struct ScanCostTrace: BatchObserver {
    /// CPU time, relative to the trace batch's start, after each processed page: index 0 is
    /// the start (0), index k after the k-th page.
    private(set) var prefix: [Double] = [0]
    /// Page-data operations (``KSMWorkCounts/pageDataOperations``), relative to the trace
    /// batch's start, after each processed page, as `prefix` (what ``KSMCostProfile/rewarm``
    /// grows with; `Float`: 4 bytes a page, exact to 2^24 and within a few parts in 10^7 beyond).
    private(set) var operations: [Float] = [0]
    /// CPU time at the end of the full scan (after the pages walked past the last processed
    /// one), relative to the start.
    private(set) var end: Double = 0
    /// Per milestone, the processed page (1-based) in this scan at which the saving first
    /// reached it; nil when not in this scan.
    private(set) var reachedAt: [Int?]
    /// Saved pages each milestone needs.
    private let thresholds: [Int]
    /// Milestones not reached in an earlier scan.
    private var pending: [Bool]
    /// CPU time when the trace batch started.
    private var base: Double = 0
    /// Page-data operations when the trace batch started.
    private var operationsBase: Double = 0

    /// A trace towards `target` saved pages (the converged saving).
    init(target: Int) {
        thresholds = ConvergenceSummary.milestonePercents.map { percent in (target * percent + 99) / 100 }
        pending = Array(repeating: target > 0, count: thresholds.count)
        reachedAt = Array(repeating: nil, count: thresholds.count)
    }

    /// Processed pages in the scan.
    var pages: Int { prefix.count - 1 }

    mutating func batchStarted(cpu: Double, operations total: Double) {
        base = cpu
        operationsBase = total
        prefix.removeAll(keepingCapacity: true)
        prefix.append(0)
        operations.removeAll(keepingCapacity: true)
        operations.append(0)
        for index in reachedAt.indices { reachedAt[index] = nil }
    }

    @inline(__always)
    mutating func pageProcessed(cpu: Double, savedPages: Int, operations total: Double) {
        prefix.append(cpu - base)
        operations.append(Float(total - operationsBase))
        guard pending.last == true else { return }
        for index in thresholds.indices where pending[index] && savedPages >= thresholds[index] {
            pending[index] = false
            reachedAt[index] = prefix.count - 1
        }
    }

    mutating func fullScanEnded(cpu: Double) { end = cpu - base }

    /// Whether every milestone has been reached.
    var converged: Bool { !pending.contains(true) }
}

/// One `pages_to_scan` and `sleep_millisecs` applied to traced full scans: the batches they
/// cut, the CPU time each costs (the pages', plus ``KSMCostProfile/batch``, the cold pages
/// of ``KSMCostProfile/coldPage`` and the rewarming after its sleep, ``KSMCostProfile/rewarm``)
/// and when each ends by ``KsmdClock``.
struct Retiming: Sendable {
    /// `pages_to_scan`.
    let pagesToScan: Int
    /// `msecs_to_jiffies(sleep_millisecs)`.
    let sleepJiffies: Int
    /// The kernel's HZ.
    let hz: Int
    /// The costs.
    let costs: KSMCostProfile
    /// ksmd's clock.
    private(set) var clock: KsmdClock
    /// ksmd's CPU time so far, nanoseconds.
    private(set) var cpu = 0.0
    /// The end of every full scan: wall and CPU seconds.
    private(set) var scanEnds: [(seconds: Double, cpu: Double)] = []
    /// Per milestone, when it was reached: full scans then, wall and CPU seconds.
    private(set) var milestones: [(fullScans: Int, seconds: Double, cpu: Double)?]

    /// A retiming for `tunables`' `pages_to_scan`, sleep and HZ; `target` 0 reaches every
    /// milestone at once.
    init(tunables: SimulatorTunables, costs: KSMCostProfile, target: Int) {
        pagesToScan = tunables.pagesToScan
        sleepJiffies = tunables.sleepJiffies
        hz = tunables.hz
        self.costs = costs
        clock = KsmdClock(hz: tunables.hz, costs: costs)
        milestones = Array(repeating: target == 0 ? (0, 0, 0) : nil, count: ConvergenceSummary.milestonePercents.count)
    }

    /// Cuts the traced full scan into batches and times them.
    mutating func consume(_ trace: ScanCostTrace) {
        let pages = trace.pages
        let coldPages = KSMCostProfile.coldPages
        var start = 0
        while true {
            let stop = min(start + pagesToScan, pages)
            // A batch that did not use up its budget went on to the scan's end.
            let endsScan = stop - start < pagesToScan
            var batch = costs.batch + costs.coldPage * Double(min(stop - start, coldPages))
            batch += trace.prefix[stop] - trace.prefix[start]
            let operations = Double(trace.operations[stop] - trace.operations[start])
            batch += costs.rewarm * KSMSimulator.rewarmUnits(sleepJiffies: sleepJiffies, hz: hz, operations: operations)
            if endsScan { batch += trace.end - trace.prefix[stop] }
            cpu += batch
            let end = clock.wallNanoseconds(cpu: cpu)
            if endsScan { scanEnds.append((end / 1e9, cpu / 1e9)) }
            for (index, page) in trace.reachedAt.enumerated() where milestones[index] == nil {
                if let page, page > start && page <= stop {
                    milestones[index] = (scanEnds.count, end / 1e9, cpu / 1e9)
                }
            }
            clock.sleep(cpu: cpu, jiffies: sleepJiffies)
            if endsScan { return }
            start = stop
        }
    }
}
