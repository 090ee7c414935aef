import Foundation

/// Fits a ``KSMCostProfile`` to calibration measurements.
///
/// **CPU.** Every measured full scan is one row: the simulator's count of each step in that
/// full scan (``CalibrationMeasurement/work``) times the step's cost must equal ksmd's measured
/// CPU time. Rows are weighted by the inverse of the measurement (relative errors count, so
/// a 1 ms full scan weighs as much as a 100 ms one), costs are kept non-negative
/// (``NonNegativeLeastSquares``), and each cost is pulled gently towards a prior value
/// (``priorWeight``): steps that always occur together (an rmap item's allocation and the
/// checksum of the page's first visit) cannot be told apart by ksmd's CPU time alone, and
/// the prior splits them. A step no run exercised keeps its prior value. Full scans that the
/// first fit misses by far more than the others (more than four times the median error and
/// 35 %: ksmd also did something else then, such as freeing an exited process's rmap items)
/// are left out of a second fit, and counted.
///
/// **Time.** With the CPU costs fitted, every run is replayed batch by batch and re-timed by
/// ``KsmdClock`` for candidate wake-up latencies and CPU availabilities; the pair whose
/// full-scan wall times are closest to the measured ones (mean absolute log ratio, which
/// outliers from other work on the machine sway less than squares) is kept.
public struct CostFit: Sendable {
    /// The values costs are pulled towards, and kept at when not exercised.
    public var prior: KSMCostProfile
    /// How strongly: a cost twice its prior weighs as much as this many full scans 100 % off.
    public var priorWeight = 0.05
    /// Whose `cmp_and_merge_page()` order the replays follow.
    public var kernel: KernelVersion

    /// Creates a fit.
    public init(prior: KSMCostProfile = .default, kernel: KernelVersion = .running) {
        self.prior = prior
        self.kernel = kernel
    }

    /// The outcome of a fit.
    public struct Result: Sendable, Equatable {
        /// The fitted profile.
        public var costs: KSMCostProfile
        /// Steps fitted to the measurements.
        public var fitted: [KSMCostProfile.Step]
        /// Steps no run exercised, kept at the prior.
        public var kept: [KSMCostProfile.Step]
        /// Full scans left out of the final fit as outliers.
        public var outliers: Int
    }

    /// Fits the CPU costs of `measurements`; the time figures stay the prior's.
    public func fitCPU(_ measurements: [CalibrationMeasurement]) -> Result {
        let steps = KSMCostProfile.Step.allCases
        var data: [[Double]] = []
        for measurement in measurements {
            for (work, cpu) in zip(measurement.work, measurement.cpuPerScan) where cpu > 0 {
                // Relative: each row divided by its measurement, whose target is then 1.
                data.append(work.values.map { $0 / (cpu * 1e9) })
            }
        }
        let exercised = steps.indices.filter { j in data.contains { $0[j] > 0 } }
        let root = priorWeight.squareRoot()
        var priorRows: [[Double]] = []
        for j in exercised where prior[steps[j]] > 0 {
            var row = [Double](repeating: 0, count: steps.count)
            row[j] = root / prior[steps[j]]
            priorRows.append(row)
        }
        var keep = [Bool](repeating: true, count: data.count)
        var solution = [Double](repeating: 0, count: steps.count)
        for pass in 0..<2 {
            let rows = data.indices.filter { keep[$0] }.map { data[$0] } + priorRows
            let targets = [Double](repeating: 1, count: rows.count - priorRows.count) + [Double](repeating: root, count: priorRows.count)
            solution = NonNegativeLeastSquares.solve(rows: rows, b: targets)
            guard pass == 0, data.count >= 8 else { break }
            let errors = data.map { row in abs(zip(row, solution).reduce(0) { $0 + $1.0 * $1.1 } - 1) }
            let median = errors.sorted()[errors.count / 2]
            let limit = max(0.35, 4 * median)
            keep = errors.map { $0 <= limit }
        }
        var costs = prior
        for j in exercised { costs[steps[j]] = solution[j] }
        return Result(
            costs: costs, fitted: exercised.map { steps[$0] },
            kept: steps.indices.filter { !exercised.contains($0) }.map { steps[$0] },
            outliers: keep.filter { !$0 }.count)
    }

    /// Fits the wake-up latency and CPU availability of `costs` to the measured wall times.
    public func fitTime(_ measurements: [CalibrationMeasurement], costs: KSMCostProfile) -> KSMCostProfile {
        let batches = measurements.map { $0.replayBatches(costs: costs, kernel: kernel) }
        func loss(_ latency: Double, _ availability: Double) -> Double {
            var candidate = costs
            candidate.wakeLatency = latency
            candidate.cpuAvailability = availability
            var total = 0.0
            var count = 0
            for (measurement, runBatches) in zip(measurements, batches) {
                let model = KsmdClock.scanSeconds(
                    batches: runBatches, tunables: measurement.run.tunables, costs: candidate)
                for (predicted, measured) in zip(model, measurement.secondsPerScan) where predicted > 0 && measured > 0 {
                    total += abs(log(predicted / measured))
                    count += 1
                }
            }
            return count > 0 ? total / Double(count) : 0
        }
        var best = (latency: costs.wakeLatency, availability: costs.cpuAvailability, loss: Double.infinity)
        let latencies = [0.0] + (0..<20).map { 10_000 * pow(2, Double($0) / 2) }  // 10 µs … 7 ms
        for latency in latencies {
            for step in 0...18 {
                let availability = 1 - Double(step) * 0.05
                let value = loss(latency, availability)
                if value < best.loss { best = (latency, availability, value) }
            }
        }
        // Refine around the best pair.
        let coarse = best
        for latency in stride(from: coarse.latency * 0.7, through: coarse.latency * 1.4 + 1, by: max(1, coarse.latency * 0.05)) {
            for availability in stride(
                from: max(0.05, coarse.availability - 0.05), through: min(1, coarse.availability + 0.05), by: 0.01)
            {
                let value = loss(latency, availability)
                if value < best.loss { best = (latency, availability, value) }
            }
        }
        var fitted = costs
        fitted.wakeLatency = best.latency.rounded()
        fitted.cpuAvailability = (best.availability * 100).rounded() / 100
        return fitted
    }
}
