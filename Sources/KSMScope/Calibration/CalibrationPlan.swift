/// The runs `ksmscope calibrate` makes the real ksmd do: each a generated workload, tunables
/// and a number of full scans. Together they exercise every coefficient the fit can separate:
///
/// - batches of one page on a few pages, with several sleeps: the length of a sleep of N ms
///   on this kernel, the wake-up latency and the cost of a batch itself;
/// - all-unique pages: rmap item allocation and checksums (full scan 1), unstable-tree walks
///   and inserts (later full scans);
/// - many copies of few contents: merges, stable-tree walks, chains of dups, already merged
///   pages;
/// - zero pages with `use_zero_pages` 1 (zero-page compares and merges) and 0 (one content
///   with a long chain);
/// - a mix, and unique pages with smart scan: skipped pages separate the page walk from the
///   rest;
/// - `pages_to_scan` 100, 1000 and 5000: batch overhead against page costs.
public struct CalibrationPlan: Sendable, Equatable {
    /// One run.
    public struct Run: Sendable, Equatable {
        /// The memory.
        public var workload: CalibrationWorkload
        /// ksmd's tunables.
        public var tunables: SimulatorTunables
        /// Full scans to measure.
        public var fullScans: Int

        /// A name for reports: workload and settings.
        public var label: String {
            var text = "\(workload.label) p\(tunables.pagesToScan) s\(tunables.sleepMillisecs)"
            if tunables.smartScan { text += " smart" }
            if tunables.useZeroPages { text += " zero-pages" }
            return text
        }

        /// Creates a run.
        public init(workload: CalibrationWorkload, tunables: SimulatorTunables, fullScans: Int) {
            self.workload = workload
            self.tunables = tunables
            self.fullScans = fullScans
        }
    }

    /// The runs, in order.
    public var runs: [Run]

    /// Creates a plan.
    public init(runs: [Run]) { self.runs = runs }

    /// The sleeps measured with batches of one page, milliseconds.
    public static let sleepMilliseconds = [1, 10, 20, 50]

    /// The standard plan (about 1 to 2 minutes on an idle machine) or the quick one (about a
    /// third of that, on fewer and smaller workloads), for pages of `pageSize` bytes at `hz`.
    public static func standard(quick: Bool = false, pageSize: Int = 4096, hz: Int = 250) -> CalibrationPlan {
        func tunables(_ pages: Int, _ sleep: Int, smart: Bool = false, zeroPages: Bool = false) -> SimulatorTunables {
            // Valid by construction: positive pages_to_scan, kernel HZ, defaults otherwise.
            try! SimulatorTunables(
                pagesToScan: pages, sleepMillisecs: sleep, useZeroPages: zeroPages, smartScan: smart, hz: hz)
        }
        func workload(_ kind: CalibrationWorkload.Kind, _ pages: Int, guests: Int = 2) -> CalibrationWorkload {
            CalibrationWorkload(kind: kind, pagesPerGuest: pages, guests: guests, pageSize: pageSize)
        }
        let size = quick ? 8192 : 16384
        var runs: [Run] = []
        for sleep in quick ? [1, 20] : sleepMilliseconds {
            runs.append(Run(workload: workload(.unique, sleep >= 50 ? 16 : 32), tunables: tunables(1, sleep), fullScans: 2))
        }
        runs += [
            Run(workload: workload(.unique, size), tunables: tunables(5000, 10), fullScans: 4),
            Run(workload: workload(.copies(contents: 16), size), tunables: tunables(5000, 10), fullScans: 4),
            Run(workload: workload(.zero, size / 2), tunables: tunables(5000, 10, zeroPages: true), fullScans: 3),
            Run(workload: workload(.zero, size / 2), tunables: tunables(5000, 10), fullScans: 3),
            Run(workload: workload(.mix, size), tunables: tunables(5000, 10, smart: true), fullScans: quick ? 8 : 14),
            Run(workload: workload(.unique, 2048), tunables: tunables(100, 10), fullScans: 3),
        ]
        if !quick {
            runs += [
                Run(workload: workload(.copies(contents: 4096), size), tunables: tunables(1000, 20), fullScans: 3),
                Run(workload: workload(.unique, size), tunables: tunables(20000, 20, smart: true), fullScans: 12),
                Run(workload: workload(.mix, 4096), tunables: tunables(100, 20), fullScans: 3),
            ]
        }
        return CalibrationPlan(runs: runs)
    }
}
