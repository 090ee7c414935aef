/// Checks the simulator against the real ksmd over a timeline of snapshots.
///
/// The kernel runs the timeline first (``KernelTimelineRun``): snapshot 0 of each guest in its
/// own holder process, then each later snapshot's changed pages written between two full scans
/// once ksmd has settled. The simulator then replays the same thing: the same guests, the same
/// tunables (a batch is one whole full scan in both), the same writes after the same full scan.
/// After each step the converged counters, global and per process, must be equal, and so must
/// the full scan at which merging first appears.
public struct TimelineVerifier: Sendable {
    /// How the kernel is driven.
    public var run = KernelTimelineRun()

    /// Creates a verifier with the kernel run's defaults.
    public init() {}

    /// Runs `guests` (each a list of snapshots, in time order) through ksmd and the simulator.
    ///
    /// - Parameters:
    ///   - tunables: `max_page_sharing`, `use_zero_pages` and `smart_scan` are applied to both;
    ///     `pages_to_scan` and `sleep_millisecs` are the kernel run's.
    ///   - kernel: the simulator's order of checks (the running kernel's, normally).
    public func verify(
        guests: [[any PageSource]], tunables: SimulatorTunables, kernel: KernelVersion = .running
    ) throws -> TimelineComparison {
        try KernelTimelineRun.checkEqualSnapshots(guests)
        let steps = guests.map(\.count).min() ?? 0
        let snapshots = guests.flatMap { $0.prefix(steps) }
        let contents = try ContentMap.build(snapshots)
        var kernelRun = run
        kernelRun.smartScan = tunables.smartScan
        let record = try kernelRun.run(
            guests: guests.map { Array($0.prefix(steps)) },
            tunables: tunables.merging)

        let pages = guests.map { $0[0].pageCount }
        let simulated = try SimulatorTunables(
            pagesToScan: pages.reduce(0, +) + 1, sleepMillisecs: run.sleepMilliseconds,
            maxPageSharing: tunables.maxPageSharing, useZeroPages: tunables.useZeroPages, smartScan: tunables.smartScan)
        var simulator = KSMSimulator(
            contents: contents, guestImages: guests.indices.map { $0 * steps },
            guestPages: guests.indices.map { guest in (0..<steps).map { guests[guest][$0].pageCount }.max() ?? 0 },
            tunables: simulated, kernel: kernel, pageSize: guests.first?.first?.pageSize.bytes ?? 4096)

        var rows: [TimelineComparison.Row] = []
        var firstMerge: (kernel: Int?, simulator: Int?) = (nil, nil)
        for (index, reading) in record.scans.enumerated() {
            let fullScans = index + 1
            simulator.runFullScans(1)
            let sample = simulator.sample
            if firstMerge.kernel == nil, reading.counters["pages_sharing"] + reading.counters["ksm_zero_pages"] > 0 {
                firstMerge.kernel = fullScans
            }
            if firstMerge.simulator == nil, sample.pagesSharing + sample.ksmZeroPages > 0 { firstMerge.simulator = fullScans }
            if let step = record.settledAt.firstIndex(of: fullScans) {
                rows += TimelineComparison.rows(step: step, fullScans: fullScans, kernel: reading, simulator: simulator)
            }
            if let step = record.appliedAfter.firstIndex(of: fullScans), step > 0 {
                for guest in guests.indices { simulator.apply(image: guest * steps + step, toGuest: guest) }
            }
        }
        return TimelineComparison(
            rows: rows, firstMergeKernel: firstMerge.kernel, firstMergeSimulator: firstMerge.simulator,
            settledAt: record.settledAt, pagesWritten: record.pagesWritten)
    }
}

/// The kernel's and the simulator's counters after each step of a timeline.
public struct TimelineComparison: Sendable, Equatable, Codable {
    /// One counter at one step.
    public struct Row: Sendable, Equatable, Codable {
        /// The snapshot (0 for the first).
        public var step: Int
        /// The full scan at which both were read (ksmd had settled on the step).
        public var fullScans: Int
        /// The guest for per-process counters, nil for global ones.
        public var guest: Int?
        public var counter: String
        public var kernel: Int
        public var simulator: Int
        /// Whether the two agree.
        public var matches: Bool { kernel == simulator }

        enum CodingKeys: String, CodingKey {
            case step, guest, counter, kernel, simulator
            case fullScans = "full_scans"
        }
    }

    public var rows: [Row]
    /// The full scan at which the kernel first merged anything.
    public var firstMergeKernel: Int?
    /// The full scan at which the simulator first merged anything.
    public var firstMergeSimulator: Int?
    /// When ksmd had settled on each step.
    public var settledAt: [Int]
    /// Pages written for each step.
    public var pagesWritten: [Int]

    /// Whether every converged counter and the first merge agree.
    public var matches: Bool { rows.allSatisfy(\.matches) && firstMergeKernel == firstMergeSimulator }

    enum CodingKeys: String, CodingKey {
        case rows
        case firstMergeKernel = "first_merge_kernel"
        case firstMergeSimulator = "first_merge_simulator"
        case settledAt = "settled_at"
        case pagesWritten = "pages_written"
    }

    static func rows(step: Int, fullScans: Int, kernel: KernelTimelineRun.Reading, simulator: KSMSimulator) -> [Row] {
        let sample = simulator.sample
        let global: [(String, Int)] = [
            ("pages_shared", sample.pagesShared), ("pages_sharing", sample.pagesSharing),
            ("ksm_zero_pages", sample.ksmZeroPages), ("stable_node_chains", sample.stableNodeChains),
            ("stable_node_dups", sample.stableNodeDups), ("general_profit", sample.generalProfit),
        ]
        var rows = global.map {
            Row(step: step, fullScans: fullScans, guest: nil, counter: $0.0, kernel: kernel.counters[$0.0], simulator: $0.1)
        }
        for (guest, (stat, process)) in zip(simulator.processStats, kernel.processes).enumerated() {
            let fields: [(String, Int)] = [
                ("ksm_rmap_items", stat.ksmRmapItems), ("ksm_merging_pages", stat.ksmMergingPages),
                ("ksm_zero_pages", stat.ksmZeroPages), ("ksm_process_profit", stat.ksmProcessProfit),
            ]
            rows += fields.map {
                Row(step: step, fullScans: fullScans, guest: guest, counter: $0.0, kernel: process[$0.0] ?? 0, simulator: $0.1)
            }
        }
        return rows
    }

    /// A side-by-side table.
    public var text: String {
        var table = [["step", "full_scans", "guest", "counter", "kernel", "simulator", ""]]
        for row in rows {
            table.append([
                "\(row.step)", "\(row.fullScans)", row.guest.map(String.init) ?? "(global)", row.counter, "\(row.kernel)",
                "\(row.simulator)", row.matches ? "ok" : "MISMATCH",
            ])
        }
        let first = "first merge: kernel full scan \(firstMergeKernel.map(String.init) ?? "none"), simulator \(firstMergeSimulator.map(String.init) ?? "none")"
        let verdict = matches ? "all counters match" : "MISMATCH"
        return Figures.table(table) + "\n\(first)\npages written per step: \(pagesWritten.map(String.init).joined(separator: ", "))\n\(verdict)\n"
    }
}
