import Foundation
import Testing

@testable import KSMScope

/// The calibration fit: the solver against brute force, and known coefficients recovered from
/// synthetic measurements made with them.
@Suite("calibration fit")
struct CostFitTests {
    @Test("non-negative least squares finds the best of all active sets (brute force)", arguments: 0..<12)
    func nnlsAgainstBruteForce(seed: UInt64) {
        var generator = SplitMix64(seed: 100 + seed)
        let n = 5
        let rows = (0..<20).map { _ in (0..<n).map { _ in generator.unit() * 10 } }
        // Some true coefficients negative, so constraints bind.
        let truth = (0..<n).map { _ in generator.unit() * 4 - 1.5 }
        let b = rows.map { row in zip(row, truth).reduce(0) { $0 + $1.0 * $1.1 } + generator.unit() - 0.5 }
        let solution = NonNegativeLeastSquares.solve(rows: rows, b: b)
        #expect(solution.allSatisfy { $0 >= 0 })
        func residual(_ x: [Double]) -> Double {
            zip(rows, b).reduce(0) { total, pair in
                let value = zip(pair.0, x).reduce(0) { $0 + $1.0 * $1.1 } - pair.1
                return total + value * value
            }
        }
        var best = residual([Double](repeating: 0, count: n))
        for mask in 1..<(1 << n) {
            let columns = (0..<n).filter { mask & (1 << $0) != 0 }
            let partial = NonNegativeLeastSquares.leastSquares(rows.map { row in columns.map { row[$0] } }, b)
            guard partial.allSatisfy({ $0 >= 0 }) else { continue }
            var x = [Double](repeating: 0, count: n)
            for (index, column) in columns.enumerated() { x[column] = partial[index] }
            best = min(best, residual(x))
        }
        #expect(abs(residual(solution) - best) <= 1e-9 * max(1, best), "seed \(seed)")
    }

    /// Small runs that together exercise every step.
    static let plan: CalibrationPlan = {
        func tunables(_ pages: Int, _ sleep: Int, smart: Bool = false, zeroPages: Bool = false) -> SimulatorTunables {
            try! SimulatorTunables(pagesToScan: pages, sleepMillisecs: sleep, useZeroPages: zeroPages, smartScan: smart)
        }
        func workload(_ kind: CalibrationWorkload.Kind, _ pages: Int) -> CalibrationWorkload {
            CalibrationWorkload(kind: kind, pagesPerGuest: pages, guests: 2)
        }
        return CalibrationPlan(runs: [
            .init(workload: workload(.unique, 32), tunables: tunables(1, 1), fullScans: 2),
            .init(workload: workload(.unique, 16), tunables: tunables(1, 20), fullScans: 2),
            .init(workload: workload(.unique, 600), tunables: tunables(5000, 10), fullScans: 3),
            .init(workload: workload(.unique, 128), tunables: tunables(100, 10), fullScans: 3),
            .init(workload: workload(.copies(contents: 2), 300), tunables: tunables(5000, 10), fullScans: 4),
            .init(workload: workload(.copies(contents: 64), 300), tunables: tunables(200, 10), fullScans: 3),
            .init(workload: workload(.zero, 200), tunables: tunables(5000, 10, zeroPages: true), fullScans: 3),
            .init(workload: workload(.zero, 700), tunables: tunables(5000, 10), fullScans: 3),
            .init(workload: workload(.mix, 400), tunables: tunables(300, 10, smart: true), fullScans: 12),
        ])
    }()

    /// What a kernel with exactly `truth`'s costs would have measured on `plan`.
    static func synthetic(_ truth: KSMCostProfile, plan: CalibrationPlan = plan) -> [CalibrationMeasurement] {
        plan.runs.map { run in
            let probe = CalibrationMeasurement(run: run, scans: [], kernel: .v6_11)
            var withScans = probe
            withScans.scans = (0..<run.fullScans).map {
                KsmdMeasurement.FullScan(fullScans: $0 + 1, seconds: 0, cpuSeconds: 0, timeslices: 0, savedPages: 0)
            }
            let batches = withScans.replayBatches(costs: truth, kernel: .v6_11)
            let walls = KsmdClock.scanSeconds(batches: batches, tunables: run.tunables, costs: truth)
            let work = CalibrationMeasurement.replay(run, fullScans: run.fullScans, kernel: .v6_11)
            var cpu = 0.0
            var seconds = 0.0
            let scans = batches.indices.map { index in
                // The fit's rows come from a replay with the default costs; chain pruning depends
                // weakly on time, so the CPU time is counted from the same replay's work.
                cpu += truth.cpuNanoseconds(for: work[index]) / 1e9
                seconds += walls[index]
                return KsmdMeasurement.FullScan(
                    fullScans: index + 1, seconds: seconds, cpuSeconds: cpu, timeslices: 0, savedPages: 0)
            }
            return CalibrationMeasurement(run: run, scans: scans, kernel: .v6_11)
        }
    }

    static let truth = KSMCostProfile(
        pageWalk: 180, absentPage: 70, rmapItem: 420, ksmPageCheck: 35, checksum: 950, stableTreeLevel: 90, chainDup: 60,
        unstableTreeLevel: 210, unstableTreeInsert: 640, merge: 2100, zeroCompare: 330, batch: 12_000, coldPage: 250,
        fullScan: 45_000, rewarm: 400, wakeLatency: 300_000, cpuAvailability: 0.7)

    @Test("the fit recovers every CPU coefficient from measurements made with them")
    func recoversCPU() {
        let measurements = Self.synthetic(Self.truth)
        var fit = CostFit(kernel: .v6_11)
        fit.priorWeight = 1e-12
        let result = fit.fitCPU(measurements)
        #expect(result.kept.isEmpty, "every step is exercised: \(result.kept)")
        for step in KSMCostProfile.Step.allCases {
            let relative = abs(result.costs[step] - Self.truth[step]) / Self.truth[step]
            #expect(relative < 0.01, "\(step.rawValue): \(result.costs[step]) against \(Self.truth[step])")
        }
    }

    @Test("the time fit recovers the wake-up latency and the CPU availability")
    func recoversTime() {
        let measurements = Self.synthetic(Self.truth)
        var costs = Self.truth
        costs.wakeLatency = 0
        costs.cpuAvailability = 1
        let fitted = CostFit(kernel: .v6_11).fitTime(measurements, costs: costs)
        #expect(abs(fitted.cpuAvailability - 0.7) <= 0.02)
        #expect(abs(fitted.wakeLatency - 300_000) / 300_000 < 0.15)
    }

    @Test("a step no run exercises keeps its prior value; noisy measurements still fit closely")
    func keptAndNoise() {
        let plan = CalibrationPlan(runs: Array(Self.plan.runs.prefix(4)))
        var measurements = Self.synthetic(Self.truth, plan: plan)
        // ±5 % noise on every full scan's CPU time.
        var generator = SplitMix64(seed: 3)
        for index in measurements.indices {
            var cpu = 0.0
            let perScan = measurements[index].cpuPerScan
            for scan in measurements[index].scans.indices {
                cpu += perScan[scan] * (0.95 + 0.1 * generator.unit())
                measurements[index].scans[scan].cpuSeconds = cpu
            }
        }
        let result = CostFit(prior: .default, kernel: .v6_11).fitCPU(measurements)
        #expect(result.kept.contains(.merge))
        #expect(result.kept.contains(.zeroCompare))
        #expect(result.costs.merge == KSMCostProfile.default.merge)
        for measurement in measurements {
            for (work, measured) in zip(measurement.work, measurement.cpuPerScan) {
                let model = result.costs.cpuNanoseconds(for: work) / 1e9
                #expect(abs(model - measured) / measured < 0.15)
            }
        }
    }

    @Test("two passes on a host that slowed down by half: one fit between them, and the profile reports their spread")
    func repeatedPasses() throws {
        let first = Self.synthetic(Self.truth)
        let second = first.map { measurement in
            var slower = measurement
            slower.repetition = 2
            for index in slower.scans.indices { slower.scans[index].cpuSeconds *= 1.5 }
            return slower
        }
        // Each full scan measured a and 1.5 a: both lie |a - 1.5 a| / (a + 1.5 a) = 20 % from their mean.
        var squares = 0.0
        var count = 0
        for (one, two) in zip(first, second) {
            for (a, b) in zip(one.cpuPerScan, two.cpuPerScan) where a > 0 {
                squares += 2 * pow(abs(a - b) / (a + b), 2)
                count += 2
            }
        }
        let expected = (squares / Double(count)).squareRoot()
        #expect(abs(expected - 0.2) < 1e-9)
        let spread = try #require(CalibrationMeasurement.repeatSpread(first + second))
        #expect(abs(spread - expected) < 1e-9)
        #expect(CalibrationMeasurement.repeatSpread(first) == nil)

        let measurements = first + second
        var fit = CostFit(kernel: .v6_11)
        fit.priorWeight = 1e-12
        let cpu = fit.fitCPU(measurements)
        let host = HostDescription(
            cpuModel: "Test CPU", cores: 2, kernelRelease: "6.11.0", hz: 250, pageSize: 4096, date: "2026-01-01T00:00:00Z")
        let userspace = UserspaceTimings(xxh64PageNanoseconds: 500, memcmpEqualPageNanoseconds: 200, memcmpDifferingPageNanoseconds: 20)
        let profile = Calibrator.profile(
            measurements: measurements, costs: cpu.costs, fitted: cpu.fitted, kept: cpu.kept, host: host,
            userspace: userspace, seconds: 1, quick: false, kernel: .v6_11)
        let summary = try #require(profile.fit)
        #expect(summary.repeats == 2)
        #expect(abs((summary.cpuRepeatSpread ?? 0) - expected) < 1e-9)
        #expect(profile.summary.description.contains("ksmd CPU varied 20% between passes"))
        #expect(profile.text.contains("Repeats: 2 passes over the plan; ksmd's CPU for the same full scan varied by 20.0% (rms)"))
        // One line per sleep length, residuals of both passes, the second's marked.
        #expect(profile.sleeps.map(\.sleepMillisecs) == [1, 20])
        #expect(profile.residuals.count == 2 * first.reduce(0) { $0 + $1.scans.count })
        #expect(profile.residuals.filter { $0.repetition == 2 }.count == profile.residuals.count / 2)
        #expect(profile.residuals.allSatisfy { $0.repetition == nil || $0.repetition == 2 })
        // The fit lies between the passes: the model is no further than 25 % from either
        // (the midpoint is 20 % from both).
        for residual in profile.residuals where residual.measuredCPUSeconds > 0 {
            #expect(abs(residual.modelCPUSeconds / residual.measuredCPUSeconds - 1) < 0.25, "\(residual.run) \(residual.fullScan)")
        }
        // Written and read back with both figures; profiles from before them read as one pass.
        let decoded = try KsmdProfile.decode(json: Data(try profile.encoded().utf8))
        #expect(decoded.fit?.cpuRepeatSpread == summary.cpuRepeatSpread)
        #expect(decoded.residuals == profile.residuals)
    }

    @Test("a userspace estimate scales each cost by the timing of its operation")
    func userspaceScaling() {
        let reference = UserspaceTimings(xxh64PageNanoseconds: 500, memcmpEqualPageNanoseconds: 200, memcmpDifferingPageNanoseconds: 20)
        let here = UserspaceTimings(xxh64PageNanoseconds: 1000, memcmpEqualPageNanoseconds: 100, memcmpDifferingPageNanoseconds: 40)
        let scaled = here.scale(.default, from: reference)
        #expect(scaled.checksum == (KSMCostProfile.default.checksum * 2).rounded())
        #expect(scaled.merge == (KSMCostProfile.default.merge / 2).rounded())
        #expect(scaled.unstableTreeLevel == (KSMCostProfile.default.unstableTreeLevel * 2).rounded())
        #expect(scaled.pageWalk == (KSMCostProfile.default.pageWalk * pow(2 * 0.5 * 2, 1.0 / 3)).rounded())
        #expect(scaled.wakeLatency == KSMCostProfile.default.wakeLatency)
    }
}
