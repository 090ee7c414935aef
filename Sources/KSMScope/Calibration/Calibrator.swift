import Dispatch

/// `ksmscope calibrate`: drives the real ksmd through a ``CalibrationPlan``, replays every run
/// in the simulator, and fits the ``KSMCostProfile`` that makes the simulator's CPU time and
/// wall time match (``CostFit``). Without root or KSM it estimates the profile from userspace
/// timings instead (``UserspaceEstimate``).
///
/// Every KSM setting is changed through one ``KSMSettingsGuard``, which refuses to start while
/// other processes use KSM and restores every setting afterwards, also on failure and on
/// SIGINT, SIGTERM and SIGHUP.
public struct Calibrator: Sendable {
    /// The runs.
    public var plan: CalibrationPlan
    /// The KSM to drive.
    public var sysfs = KSMSysfs()
    /// Whose `cmp_and_merge_page()` order the replays follow.
    public var kernel: KernelVersion = .running
    /// Called with the other job's pid when another job drives ksmd and calibration waits.
    public var waiting: @Sendable (Int32?) -> Void = { _ in }

    /// Calibrates with `plan`.
    public init(plan: CalibrationPlan) { self.plan = plan }

    /// Runs every run of the plan on the real ksmd, `repeats` passes over the whole plan (so
    /// that each run is measured a pass apart, about half a minute, not twice in a row).
    ///
    /// - Parameter progress: set to the number of full scans measured so far, out of all.
    /// - Throws: ``KernelError`` when ksmd cannot be driven.
    public func measure(repeats: Int = 1, progress: ProgressCounter? = nil) throws -> [CalibrationMeasurement] {
        progress?.setTotal(plan.runs.reduce(0) { $0 + $1.fullScans } * max(1, repeats))
        let settings = try KSMSettingsGuard(sysfs: sysfs, waiting: waiting)
        defer { settings.restore() }
        let measurement = try KsmdMeasurement(settings: settings)
        var done = 0
        var results: [CalibrationMeasurement] = []
        for repetition in 1...max(1, repeats) {
            for run in plan.runs {
                let scans = try measurement.run(
                    images: run.workload.images(), tunables: run.tunables, fullScans: run.fullScans
                ) { readings in
                    progress?.set(completed: done + readings.count)
                    return false
                }
                done += run.fullScans
                results.append(CalibrationMeasurement(run: run, scans: scans, repetition: repetition, kernel: kernel))
            }
        }
        return results
    }

    /// Measures the plan on the real ksmd (`repeats` passes) and fits one profile to every pass.
    ///
    /// - Parameter progress: full scans measured so far, out of all.
    /// - Throws: ``KernelError`` when ksmd cannot be driven.
    public func calibrate(quick: Bool = false, repeats: Int = 1, progress: ProgressCounter? = nil) throws -> KsmdProfile {
        let started = DispatchTime.now().uptimeNanoseconds
        let load = HostDescription.loadAverage()
        let userspace = UserspaceTimings.measure()
        var measurements = try measure(repeats: repeats, progress: progress)
        var hz = plan.runs.first?.tunables.hz ?? SimulatorTunables.defaults.hz
        if HostDescription.configuredHZ() == nil, let measured = Self.measuredHZ(measurements), measured != hz {
            // The replays must sleep as this kernel does.
            hz = measured
            measurements = measurements.map { measurement in
                var run = measurement.run
                run.tunables.hz = measured
                return CalibrationMeasurement(
                    run: run, scans: measurement.scans, repetition: measurement.repetition, kernel: kernel)
            }
        }
        let prior = userspace.scale(KsmdProfile.builtIn.costs, from: KsmdProfile.builtIn.userspace ?? userspace)
        var fit = CostFit(prior: prior, kernel: kernel)
        fit.prior = prior
        let cpu = fit.fitCPU(measurements)
        let costs = fit.fitTime(measurements, costs: cpu.costs)
        var host = HostDescription.current(hz: hz)
        host.loadAverage = load
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var profile = Self.profile(
            measurements: measurements, costs: costs, fitted: cpu.fitted, kept: cpu.kept, host: host,
            userspace: userspace, seconds: seconds, quick: quick, kernel: kernel)
        profile.fit?.outliers = cpu.outliers
        return profile
    }

    /// The profile for `costs` fitted to `measurements`: residuals, sleeps and the fit's summary.
    static func profile(
        measurements: [CalibrationMeasurement], costs: KSMCostProfile, fitted: [KSMCostProfile.Step],
        kept: [KSMCostProfile.Step], host: HostDescription, userspace: UserspaceTimings, seconds: Double, quick: Bool,
        kernel: KernelVersion
    ) -> KsmdProfile {
        var residuals: [KsmdProfile.Residual] = []
        var sleepsPerPass: [KsmdProfile.SleepMeasurement] = []
        for measurement in measurements {
            let batches = measurement.replayBatches(costs: costs, kernel: kernel)
            let modelSeconds = KsmdClock.scanSeconds(batches: batches, tunables: measurement.run.tunables, costs: costs)
            let measuredSeconds = measurement.secondsPerScan
            let measuredCPU = measurement.cpuPerScan
            for index in measurement.scans.indices where index < batches.count {
                residuals.append(
                    KsmdProfile.Residual(
                        run: measurement.run.label, fullScan: index + 1, measuredCPUSeconds: measuredCPU[index],
                        modelCPUSeconds: batches[index].reduce(0, +) / 1e9, measuredSeconds: measuredSeconds[index],
                        modelSeconds: modelSeconds[index], repetition: measurement.repetition))
            }
            if measurement.run.tunables.pagesToScan == 1 {
                let count = Double(batches.joined().count)
                sleepsPerPass.append(
                    KsmdProfile.SleepMeasurement(
                        sleepMillisecs: measurement.run.tunables.sleepMillisecs,
                        jiffies: measurement.run.tunables.sleepJiffies,
                        measuredSeconds: measuredSeconds.reduce(0, +) / count, modelSeconds: modelSeconds.reduce(0, +) / count))
            }
        }
        // One line per sleep length, in plan order: the mean over the passes (the model is the
        // same in each).
        var sleeps: [KsmdProfile.SleepMeasurement] = []
        for sleep in sleepsPerPass where !sleeps.contains(where: { $0.sleepMillisecs == sleep.sleepMillisecs }) {
            let passes = sleepsPerPass.filter { $0.sleepMillisecs == sleep.sleepMillisecs }
            var mean = sleep
            mean.measuredSeconds = passes.reduce(0) { $0 + $1.measuredSeconds } / Double(passes.count)
            sleeps.append(mean)
        }
        func errors(_ pairs: [(Double, Double)]) -> (rms: Double, max: Double) {
            let relative = pairs.filter { $0.1 > 0 }.map { ($0.0 - $0.1) / $0.1 }
            guard !relative.isEmpty else { return (0, 0) }
            return ((relative.map { $0 * $0 }.reduce(0, +) / Double(relative.count)).squareRoot(),
                relative.map(abs).max() ?? 0)
        }
        let cpuErrors = errors(residuals.map { ($0.modelCPUSeconds, $0.measuredCPUSeconds) })
        let wallErrors = errors(residuals.map { ($0.modelSeconds, $0.measuredSeconds) })
        return KsmdProfile(
            method: .kernel, host: host, costs: costs, sleeps: sleeps,
            fit: KsmdProfile.FitSummary(
                rows: residuals.count, cpuRMSRelativeError: cpuErrors.rms, cpuMaxRelativeError: cpuErrors.max,
                wallRMSRelativeError: wallErrors.rms, wallMaxRelativeError: wallErrors.max,
                fitted: fitted.map(\.rawValue), kept: kept.map(\.rawValue), seconds: seconds, quick: quick,
                repeats: Set(measurements.map(\.repetition)).count,
                cpuRepeatSpread: CalibrationMeasurement.repeatSpread(measurements)),
            residuals: residuals, userspace: userspace, source: "calibrate")
    }

    /// Without the real ksmd: the built-in profile scaled to this host's userspace timings.
    public static func estimate() -> KsmdProfile {
        let userspace = UserspaceTimings.measure()
        let builtIn = KsmdProfile.builtIn
        return KsmdProfile(
            method: .userspaceEstimate, host: .current(),
            costs: userspace.scale(builtIn.costs, from: builtIn.userspace ?? userspace), userspace: userspace,
            source: "calibrate")
    }

    /// The timer frequency the one-page batches with a 1 ms sleep show: such a sleep lasts
    /// two ticks (one jiffy, plus the timer wheel's round-up).
    static func measuredHZ(_ measurements: [CalibrationMeasurement]) -> Int? {
        guard
            let run = measurements.first(where: {
                $0.run.tunables.pagesToScan == 1 && $0.run.tunables.sleepMillisecs == 1
            })
        else { return nil }
        let batches = Double(run.work.reduce(0) { $0 + $1[.batch] })
        let cycle = run.secondsPerScan.reduce(0, +) / max(1, batches)
        guard cycle > 0 else { return nil }
        return SimulatorTunables.kernelHZChoices.min { abs(2 / cycle - Double($0)) < abs(2 / cycle - Double($1)) }
    }
}
