/// What the real ksmd did on one calibration run, beside what the simulator counts for the same
/// run: the rows of the fit.
public struct CalibrationMeasurement: Sendable, Equatable {
    /// The run.
    public var run: CalibrationPlan.Run
    /// The kernel's readings at the end of each full scan.
    public var scans: [KsmdMeasurement.FullScan]
    /// The simulator's work in each full scan of the same run (the fit's design rows).
    public var work: [KSMWorkCounts]
    /// Which pass over the plan measured it (1 = the first; `calibrate --repeat`).
    public var repetition: Int

    /// Creates a measurement; `work` is counted by replaying `run` in the simulator.
    public init(
        run: CalibrationPlan.Run, scans: [KsmdMeasurement.FullScan], repetition: Int = 1, kernel: KernelVersion = .running
    ) {
        self.run = run
        self.scans = scans
        self.repetition = repetition
        work = Self.replay(run, fullScans: scans.count, kernel: kernel)
    }

    /// How much ksmd's CPU time for the same work varied between passes: the root mean square,
    /// over every run (by label) and full scan measured more than once, of each pass's relative
    /// deviation from the mean of its passes. `nil` when nothing was measured twice.
    ///
    /// On a virtual machine this is mostly the host's doing: the same batches cost more while
    /// other tenants keep the caches and memory busy (Benchmarks/README.md, calibration
    /// accuracy), and every prediction of ksmd's CPU on that host carries this noise too.
    public static func repeatSpread(_ measurements: [CalibrationMeasurement]) -> Double? {
        var groups: [String: [[Double]]] = [:]
        for measurement in measurements { groups[measurement.run.label, default: []].append(measurement.cpuPerScan) }
        var squares = 0.0
        var count = 0
        for passes in groups.values where passes.count > 1 {
            for scan in 0..<(passes.map(\.count).min() ?? 0) {
                let values = passes.map { $0[scan] }
                let mean = values.reduce(0, +) / Double(values.count)
                guard mean > 0 else { continue }
                for value in values {
                    squares += (value / mean - 1) * (value / mean - 1)
                    count += 1
                }
            }
        }
        return count > 0 ? (squares / Double(count)).squareRoot() : nil
    }

    /// The simulator's work per full scan when it runs `run` (costs do not matter: the work
    /// is the same whatever it costs, but for the weak dependence of chain pruning on time).
    public static func replay(_ run: CalibrationPlan.Run, fullScans: Int, kernel: KernelVersion) -> [KSMWorkCounts] {
        let contents = run.workload.contents()
        var simulator = KSMSimulator(
            contents: contents, tunables: run.tunables, kernel: kernel, pageSize: run.workload.pageSize)
        var work: [KSMWorkCounts] = []
        for _ in 0..<fullScans {
            let before = simulator.work
            simulator.runFullScans(1)
            work.append(simulator.work - before)
        }
        return work
    }

    /// Replays the run with `costs` batch by batch: per full scan, the CPU time of each of its
    /// batches, nanoseconds (the batch that ends the full scan last).
    public func replayBatches(costs: KSMCostProfile, kernel: KernelVersion) -> [[Double]] {
        let contents = run.workload.contents()
        var simulator = KSMSimulator(
            contents: contents, tunables: run.tunables, kernel: kernel, costs: costs, pageSize: run.workload.pageSize)
        var scans: [[Double]] = [[]]
        while simulator.fullScans < self.scans.count {
            let before = simulator.cpuNanoseconds
            let ended = simulator.runBatch()
            scans[scans.count - 1].append(simulator.cpuNanoseconds - before)
            if ended && simulator.fullScans < self.scans.count { scans.append([]) }
        }
        return scans
    }

    /// ksmd's CPU time in each full scan, measured, seconds.
    public var cpuPerScan: [Double] {
        scans.indices.map { scans[$0].cpuSeconds - ($0 > 0 ? scans[$0 - 1].cpuSeconds : 0) }
    }

    /// The wall time of each full scan, measured, seconds.
    public var secondsPerScan: [Double] {
        scans.indices.map { scans[$0].seconds - ($0 > 0 ? scans[$0 - 1].seconds : 0) }
    }
}
