import Dispatch
import Synchronization

/// `ksmscope tune`: sweeps ksmd's `pages_to_scan`, `sleep_millisecs` and `smart_scan` (and the
/// scan-time advisor's target) with the simulator, prices every setting with a
/// ``KsmdProfile``, puts the advisor and ksmtuned beside them, and recommends the setting that
/// meets a ``TuneGoal``.
///
/// ```swift
/// let tuner = KsmdTuner(profile: try KsmdProfile.load(path: "host.json"), goal: TuneGoal(cpuBudgetPercent: 5))
/// let report = try tuner.sweep(contents: map, guests: guests)
/// print(report.recommended?.commands.sysfs ?? [])
/// ```
///
/// On static guests one simulation per `smart_scan` value records ksmd's CPU time page by page
/// (``ScanCostTrace``) and is re-timed for every `pages_to_scan` and `sleep_millisecs`
/// (``Retiming``): the pages' events do not depend on them. The advisor (which changes
/// `pages_to_scan` as it goes), ksmtuned (which starts and stops ksmd) and guests that write
/// (timelines, whose writes land at wall-clock times) are simulated setting by setting. Jobs run
/// on all cores.
public struct KsmdTuner: Sendable {
    /// The cost profile.
    public var profile: KsmdProfile
    /// The tunables every setting shares: `max_page_sharing`, `use_zero_pages`,
    /// `merge_across_nodes`, the chain prune interval, HZ and the advisor's knobs (its
    /// `advisor_target_scan_time` and `advisor_max_cpu` are those of ``TuneReport/advisor``).
    public var tunables: SimulatorTunables
    /// Whose `cmp_and_merge_page()` order to follow.
    public var kernel: KernelVersion
    /// What is asked.
    public var goal: TuneGoal
    /// `pages_to_scan` values swept.
    public var pagesToScanValues = [100, 250, 500, 1000, 2500, 5000, 10000, 25000]
    /// `sleep_millisecs` values swept.
    public var sleepValues = [10, 20, 50, 100, 200]
    /// `smart_scan` values swept.
    public var smartScanValues = [true, false]
    /// `advisor_target_scan_time` values tried with the advisor (besides ``tunables``').
    public var advisorTargetScanTimes = [10, 30, 60, 200]
    /// The host's memory, bytes (ksmtuned scales its sleep by it and compares free memory with it).
    public var hostMemoryBytes: Int
    /// Free memory with the guests running and nothing merged, bytes.
    public var freeMemoryBytes: Int

    /// Grids for guests that write, where each setting is simulated on its own.
    public static let timelinePagesToScan = [100, 500, 2500, 10000]
    /// See ``timelinePagesToScan``.
    public static let timelineSleeps = [10, 50, 200]

    /// Bytes a page (of every snapshot) a sweep keeps: the content map (about 9), two
    /// simulators at a time (39 each) and their per-page traces: 80 measured in
    /// Benchmarks/README.md ("Tuning") before the traces held page-data operations too (4 more
    /// bytes each). A sweep runs only where this fits `--memory-limit`.
    public static let stateBytesPerPage = 88

    /// Creates a tuner; the host's memory defaults to this machine's `/proc/meminfo`.
    public init(
        profile: KsmdProfile = .builtIn, tunables: SimulatorTunables = .defaults, kernel: KernelVersion = .running,
        goal: TuneGoal = TuneGoal(), hostMemoryBytes: Int? = nil, freeMemoryBytes: Int? = nil
    ) {
        self.profile = profile
        self.tunables = tunables
        self.kernel = kernel
        self.goal = goal
        let here = KsmtunedModel.hostMemory()
        self.hostMemoryBytes = hostMemoryBytes ?? here?.total ?? 16 << 30
        self.freeMemoryBytes = freeMemoryBytes ?? here?.free ?? self.hostMemoryBytes / 2
    }

    /// Reads the guests' images and sweeps (``sweep(contents:guests:progress:)``).
    ///
    /// - Parameter reading: advanced by one per page read.
    public func sweep(
        guests: [SimulatedGuest], configuration: ScanConfiguration, reading: ProgressCounter? = nil,
        progress: ProgressCounter? = nil
    ) throws -> TuneReport {
        let contents = try KSMSimulation.contents(
            of: guests, configuration: configuration, stateBytesPerPage: Self.stateBytesPerPage, progress: reading)
        return try sweep(contents: contents, guests: guests, pageSize: configuration.pageSize.bytes, progress: progress)
    }

    /// Sweeps the settings on `guests`, whose snapshots are the images of `contents`
    /// (guest-major, as ``KSMSimulation/contents(of:configuration:progress:)`` builds them).
    ///
    /// - Parameter progress: full scans simulated, out of an estimate.
    /// - Throws: ``TimelineError``, ``SimulationError`` or ``KSMTunablesError``.
    public func sweep(
        contents: ContentMap, guests: [SimulatedGuest], pageSize: Int = 4096, progress: ProgressCounter? = nil
    ) throws -> TuneReport {
        let plan = try SimulationPlan(guests: guests)
        guard contents.layout.imageCount == plan.imageCount else {
            throw SimulationError.imageCountMismatch(map: contents.layout.imageCount, guests: plan.imageCount)
        }
        let firstImages = plan.images.map { $0[0] }
        let slots = plan.images.map { list in list.map { contents.layout.pages(of: $0).count }.max() ?? 0 }
        let target = ConvergenceSummary.convergedSavedPages(contents: contents, images: firstImages, tunables: tunables)
        let timeline = plan.triggers.count > 1
        let context = Context(
            contents: contents, guests: guests, firstImages: firstImages, slots: slots, target: target,
            pageSize: pageSize)

        var settings: [TuneSetting] = []
        var scansBySmart: [Bool: Int] = [:]
        var jobs: [Job] = []
        if timeline {
            for smart in smartScanValues {
                for sleep in Self.timelineSleeps {
                    for pages in Self.timelinePagesToScan { jobs.append(.full(pages: pages, sleep: sleep, smart: smart)) }
                }
            }
        } else {
            progress?.setTotal(smartScanValues.count * 40)
            let traced = try Self.parallel(smartScanValues) { smart in try trace(context, smart: smart, progress: progress) }
            for (smart, result) in zip(smartScanValues, traced) {
                settings += result.settings
                scansBySmart[smart] = result.fullScans
            }
        }
        let advisorSmart = tunables.smartScan
        let targets = Array(Set(advisorTargetScanTimes + [tunables.advisorTargetScanTime])).sorted()
        jobs += targets.map { Job.advisor(target: $0, smart: advisorSmart) }
        jobs.append(.ksmtuned)
        let fullScans = scansBySmart[advisorSmart] ?? (advisorSmart ? 40 : 10)
        progress?.setTotal((progress?.total ?? 0) + jobs.count * fullScans)
        let outcomes = try Self.parallel(jobs) { job in try run(job, context, fullScans: fullScans, progress: progress) }

        var advisor: TuneReport.AdvisorOutcome?
        var ksmtuned: TuneReport.KsmtunedOutcome?
        for (job, outcome) in zip(jobs, outcomes) {
            switch outcome {
            case .setting(let setting, let trajectory):
                settings.append(setting)
                if case .advisor(let target, _) = job, target == tunables.advisorTargetScanTime {
                    advisor = .init(setting: setting, pagesToScanAfterFullScans: trajectory)
                }
            case .ksmtuned(let outcome): ksmtuned = outcome
            }
        }
        TuneSetting.markPareto(&settings)
        if var chosen = advisor {
            chosen.setting.pareto = settings.first { $0 == chosen.setting || ($0.advisorMode == .scanTime && $0.advisorTargetScanTime == chosen.setting.advisorTargetScanTime) }?.pareto ?? false
            advisor = chosen
        }
        return TuneReport(
            profile: profile.summary,
            input: .init(
                guests: guests.count, pages: slots.reduce(0, +), pageSize: pageSize, convergedSavedBytes: target * pageSize,
                timeline: timeline, tunables: tunables, kernel: kernel),
            goal: goal, settings: settings, advisor: advisor!, ksmtuned: ksmtuned!,
            recommended: TuneRecommendation.choose(
                from: settings, goal: goal, savedBytes: target * pageSize, hostMemoryBytes: hostMemoryBytes))
    }

    // MARK: - Jobs

    /// What every job simulates on.
    struct Context: Sendable {
        let contents: ContentMap
        let guests: [SimulatedGuest]
        let firstImages: [Int]
        let slots: [Int]
        let target: Int
        let pageSize: Int
    }

    /// A simulation to run.
    enum Job: Sendable {
        /// One setting, simulated whole (guests that write).
        case full(pages: Int, sleep: Int, smart: Bool)
        /// The advisor with a target scan time.
        case advisor(target: Int, smart: Bool)
        /// ksmtuned's loop.
        case ksmtuned
    }

    /// A job's result.
    enum Outcome: Sendable {
        case setting(TuneSetting, trajectory: [Int])
        case ksmtuned(TuneReport.KsmtunedOutcome)
    }

    /// Full scans of the steady state: a whole period of smart scan's skips (8 skips and one
    /// visit), or two.
    static func window(smart: Bool) -> Int { smart ? 9 : 2 }

    /// Full scans a run lasts at least: smart scan's skips reach their period of 9 after 22
    /// visits of a page that never merges.
    static func minimumFullScans(smart: Bool) -> Int { smart ? 31 : 4 }

    /// The tunables of one setting.
    func tunables(pages: Int?, sleep: Int, smart: Bool, advisorTarget: Int? = nil) throws(KSMTunablesError)
        -> SimulatorTunables
    {
        try SimulatorTunables(
            pagesToScan: advisorTarget == nil ? pages : nil, sleepMillisecs: sleep, maxPageSharing: tunables.maxPageSharing,
            useZeroPages: tunables.useZeroPages, smartScan: smart, mergeAcrossNodes: tunables.mergeAcrossNodes,
            advisorMode: advisorTarget == nil ? .none : .scanTime,
            advisorTargetScanTime: advisorTarget ?? tunables.advisorTargetScanTime, advisorMaxCPU: tunables.advisorMaxCPU,
            advisorMinPagesToScan: tunables.advisorMinPagesToScan, advisorMaxPagesToScan: tunables.advisorMaxPagesToScan,
            stableNodeChainsPruneMillisecs: tunables.stableNodeChainsPruneMillisecs, hz: tunables.hz)
    }

    /// One traced simulation re-timed for every `pages_to_scan` and `sleep_millisecs`.
    func trace(_ context: Context, smart: Bool, progress: ProgressCounter?) throws -> (
        settings: [TuneSetting], fullScans: Int
    ) {
        // One batch is one whole full scan.
        let traceTunables = try tunables(pages: Int(UInt32.max), sleep: sleepValues.min() ?? 20, smart: smart)
        var simulator = KSMSimulator(
            contents: context.contents, guestImages: context.firstImages, guestPages: context.slots,
            tunables: traceTunables, kernel: kernel, costs: profile.costs, pageSize: context.pageSize)
        var trace = ScanCostTrace(target: context.target)
        var grid: [(pages: Int, sleep: Int)] = []
        for sleep in sleepValues { for pages in pagesToScanValues { grid.append((pages, sleep)) } }
        var retimings = try grid.map { setting in
            Retiming(
                tunables: try tunables(pages: setting.pages, sleep: setting.sleep, smart: smart), costs: profile.costs,
                target: context.target)
        }
        let window = Self.window(smart: smart)
        var convergedAt: Int? = context.target == 0 ? 0 : nil
        var fullScans = 0
        while true {
            simulator.scanBatch(observer: &trace)
            simulator.sleepAfterBatch()
            fullScans += 1
            for index in retimings.indices { retimings[index].consume(trace) }
            if convergedAt == nil && trace.converged { convergedAt = fullScans }
            progress?.advance(by: 1)
            if let convergedAt, fullScans >= max(convergedAt + window, Self.minimumFullScans(smart: smart)) { break }
            if fullScans >= 400 { break }
        }
        let settings = zip(grid, retimings).map { setting, retiming in
            TuneSetting(
                pagesToScan: setting.pages, sleepMillisecs: setting.sleep, smartScan: smart,
                milestones: retiming.milestones.map { $0.map { ($0.seconds, $0.cpu) } }, scanEnds: retiming.scanEnds,
                window: window, savedBytes: Double(context.target * context.pageSize))
        }
        return (settings, fullScans)
    }

    /// Runs one job.
    func run(_ job: Job, _ context: Context, fullScans: Int, progress: ProgressCounter?) throws -> Outcome {
        switch job {
        case .ksmtuned: return .ksmtuned(try simulateKsmtuned(context, progress: progress))
        case .full(let pages, let sleep, let smart):
            return try simulate(context, tunables: try tunables(pages: pages, sleep: sleep, smart: smart), fullScans: nil, progress: progress)
        case .advisor(let target, let smart):
            let tunables = try tunables(pages: nil, sleep: tunables.sleepMillisecs, smart: smart, advisorTarget: target)
            let timeline = context.guests.contains(where: \.isTimeline)
            return try simulate(context, tunables: tunables, fullScans: timeline ? nil : fullScans, progress: progress)
        }
    }

    /// One setting simulated whole.
    func simulate(_ context: Context, tunables: SimulatorTunables, fullScans: Int?, progress: ProgressCounter?) throws
        -> Outcome
    {
        let job = KSMSimulation(
            tunables: tunables, kernel: kernel, profile: profile,
            configuration: ScanConfiguration(pageSize: try PageSize(bytes: context.pageSize)),
            length: fullScans.map { .fullScans($0) } ?? .automatic)
        let report = try job.run(contents: context.contents, guests: context.guests)
        progress?.advance(by: report.samples.count)
        let summary = report.summary
        var setting = TuneSetting(
            pagesToScan: report.samples.last?.pagesToScan ?? tunables.pagesToScan, sleepMillisecs: tunables.sleepMillisecs,
            smartScan: tunables.smartScan, advisorMode: tunables.advisorMode,
            advisorTargetScanTime: tunables.advisorMode == .scanTime ? tunables.advisorTargetScanTime : nil,
            advisorMaxCPU: tunables.advisorMode == .scanTime ? tunables.advisorMaxCPU : nil,
            milestones: summary.milestones.map { milestone in milestone.tSeconds.map { ($0, milestone.ksmdCPUSeconds ?? 0) } },
            scanEnds: report.samples.map { ($0.tSeconds, $0.ksmdCPUSeconds) }, window: Self.window(smart: tunables.smartScan),
            savedBytes: Double(summary.convergedSavedBytes))
        if let churn = summary.churn, churn.seconds > 0 {
            setting.cpuPercentSteady = churn.ksmdCPUSeconds / churn.seconds * 100
            setting.steadySavedBytes = churn.averageSavedBytes
            setting.cowBreaksPerSecond = churn.cowBreaksPerSecond
        }
        return .setting(setting, trajectory: report.samples.prefix(12).map(\.pagesToScan))
    }

    /// ksmtuned's loop on the guests' first memory: ksmd stopped until its first decision a
    /// minute in, then run or stopped, with its `npages`, at every decision.
    func simulateKsmtuned(_ context: Context, progress: ProgressCounter?) throws -> TuneReport.KsmtunedOutcome {
        let model = KsmtunedModel(
            hostMemoryBytes: hostMemoryBytes, freeMemoryBytes: freeMemoryBytes,
            committedBytes: context.slots.reduce(0, +) * context.pageSize)
        var outcome = TuneReport.KsmtunedOutcome(
            hostMemoryBytes: hostMemoryBytes, freeMemoryBytes: freeMemoryBytes, sleepMillisecs: model.sleepMillisecs,
            thresholdBytes: model.thresholdKB * 1024, runs: false, reason: nil, decisions: [], setting: nil)
        let smart = tunables.smartScan
        var simulator = KSMSimulator(
            contents: context.contents, guestImages: context.firstImages, guestPages: context.slots,
            tunables: try tunables(pages: model.npagesMin, sleep: model.sleepMillisecs, smart: smart), kernel: kernel,
            costs: profile.costs, pageSize: context.pageSize)
        var tracker = ConvergenceTracker(target: context.target)
        var loop = KsmtunedModel.Loop()
        var scanEnds: [(seconds: Double, cpu: Double)] = []
        var convergedAt: Int? = context.target == 0 ? 0 : nil
        var running = false
        var decisionTime = Double(model.monitorInterval)
        let window = Self.window(smart: smart)
        let limitSeconds = 48.0 * 3600
        simulator.pause(untilSeconds: decisionTime)
        while decisionTime < limitSeconds {
            let decision = model.adjust(&loop, seconds: decisionTime, savedBytes: simulator.savedPages * context.pageSize)
            if outcome.decisions.count < 10 { outcome.decisions.append(decision) }
            let next = decisionTime + Double(model.monitorInterval)
            if decision.run, let pages = decision.pagesToScan {
                if !running { simulator.pause(untilSeconds: decisionTime) }
                running = true
                outcome.runs = true
                simulator.pagesToScan = pages
                while simulator.seconds < next {
                    let ended = simulator.scanBatch()
                    tracker.observe(simulator)
                    if ended {
                        scanEnds.append((simulator.seconds, simulator.cpuNanoseconds / 1e9))
                        progress?.advance(by: 1)
                        if convergedAt == nil && tracker.summary(simulator, finalMemoryTarget: 0).milestones.last?.tSeconds != nil {
                            convergedAt = scanEnds.count
                        }
                    }
                    simulator.sleepAfterBatch()
                }
            } else {
                running = false
                // Stopped, the saving does not change, and neither will the next decision.
                if !outcome.runs { break }
                simulator.pause(untilSeconds: next)
            }
            decisionTime = next
            if let convergedAt, scanEnds.count >= max(convergedAt + window, Self.minimumFullScans(smart: smart)) { break }
            if !running && convergedAt != nil { break }
        }
        guard outcome.runs else {
            outcome.reason = model.stoppedReason ?? "ksmtuned never started ksmd within 48 hours"
            return outcome
        }
        let summary = tracker.summary(simulator, finalMemoryTarget: context.target)
        outcome.setting = TuneSetting(
            pagesToScan: simulator.pagesToScan, sleepMillisecs: model.sleepMillisecs, smartScan: smart,
            milestones: summary.milestones.map { milestone in milestone.tSeconds.map { ($0, milestone.ksmdCPUSeconds ?? 0) } },
            scanEnds: scanEnds, window: window, savedBytes: Double(context.target * context.pageSize))
        return outcome
    }

    /// Runs `body` on every element on all cores; the first error is thrown.
    static func parallel<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ body: @Sendable (Element) throws -> Result
    ) throws -> [Result] {
        let results = Mutex<[Swift.Result<Result, any Error>?]>(Array(repeating: nil, count: elements.count))
        DispatchQueue.concurrentPerform(iterations: elements.count) { index in
            let result = Swift.Result { try body(elements[index]) }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { $0 }.map { try $0!.get() }
    }
}
