/// The whole `simulate` job: read the guests' images (every snapshot of every guest) into one
/// content map, run ksmd on them with a ``KSMSimulator``, apply each timeline snapshot at its
/// time, and report.
public struct KSMSimulation: Sendable {
    /// ksmd's tunables.
    public var tunables: SimulatorTunables
    /// Whose `cmp_and_merge_page()` order to follow.
    public var kernel: KernelVersion
    /// What each step of ksmd's work costs.
    public var costs: KSMCostProfile
    /// The profile ``costs`` came from, as the report names it.
    public var profile: KsmdProfile.Summary
    /// How images are read (page size, threads).
    public var configuration: ScanConfiguration
    /// How long to run.
    public var length: RunLength
    /// Seconds between extra time samples, if any.
    public var everySeconds: Double?

    /// How long a simulation runs.
    public enum RunLength: Sendable, Equatable {
        /// Static images: ``KSMSimulation/defaultFullScans`` full scans. Timelines: until the
        /// last snapshot has had as long as the one before it.
        case automatic
        /// Until `full_scans` reaches this.
        case fullScans(Int)
        /// Until the simulated clock reaches this many seconds.
        case seconds(Double)
    }

    /// Full scans run on static images when no length is given.
    public static let defaultFullScans = 20

    /// Bytes a page (of every snapshot) a simulation keeps: the content map (4 bytes a page and
    /// 5 a content) and the simulator's rmap items, trees and counters (39 bytes a page): about
    /// 48, measured in Benchmarks/README.md ("Simulation"). A simulation needs every page at
    /// once, so it runs only where this fits `--memory-limit`.
    public static let stateBytesPerPage = 48

    /// Creates a job.
    public init(
        tunables: SimulatorTunables = .defaults, kernel: KernelVersion = .v6_11, profile: KsmdProfile = .builtIn,
        configuration: ScanConfiguration = .init(), length: RunLength = .automatic, everySeconds: Double? = nil
    ) {
        self.tunables = tunables
        self.kernel = kernel
        self.costs = profile.costs
        self.profile = profile.summary
        self.configuration = configuration
        self.length = length
        self.everySeconds = everySeconds
    }

    /// Opens every snapshot of `guests` (guest-major), builds one content map over them all,
    /// and simulates.
    ///
    /// - Parameters:
    ///   - progress: advanced by one per page read while the content map is built.
    ///   - simulationProgress: the simulation's progress in the units of ``length(for:)``: full
    ///     scans, or simulated milliseconds.
    ///   - willSimulate: called once the images are read, before the simulation starts.
    /// - Throws: ``TimelineError``, ``ImageError``, ``SimulationError`` or what reading throws.
    public func run(
        guests: [SimulatedGuest], progress: ProgressCounter? = nil, simulationProgress: ProgressCounter? = nil,
        willSimulate: () -> Void = {}
    ) throws -> SimulationReport {
        let contents = try Self.contents(of: guests, configuration: configuration, progress: progress)
        willSimulate()
        return try run(contents: contents, guests: guests, progress: simulationProgress)
    }

    /// Opens every snapshot of `guests` (guest-major) and builds one content map over them all:
    /// what ``run(contents:guests:progress:)`` and the tuner simulate on.
    ///
    /// The map is built as `scan` chooses its engine: byte-verified while the images fit
    /// ``ScanConfiguration/memoryLimit``, else by fingerprints read front to back.
    ///
    /// - Parameters:
    ///   - stateBytesPerPage: what the job keeps per page once the map is built
    ///     (``stateBytesPerPage``, or the tuner's).
    ///   - progress: advanced by one per page read.
    /// - Throws: ``SimulationError/exceedsMemoryLimit(pages:bytesPerPage:limit:)`` when the job
    ///   would not fit the limit, ``TimelineError``, ``ImageError``, ``SimulationError`` or what
    ///   reading throws.
    public static func contents(
        of guests: [SimulatedGuest], configuration: ScanConfiguration, stateBytesPerPage: Int = stateBytesPerPage,
        progress: ProgressCounter? = nil
    ) throws -> ContentMap {
        _ = try SimulationPlan(guests: guests)
        var files: [String] = []
        for guest in guests {
            for snapshot in guest.snapshots {
                let expanded = try ImagePaths.expand([snapshot.path])
                guard expanded == [snapshot.path] else { throw ImageError.notARegularFile(path: snapshot.path) }
                files.append(snapshot.path)
            }
        }
        let images = try ImagePaths.open(files, pageSize: configuration.pageSize)
        let pages = images.reduce(0) { $0 + $1.pageCount }
        guard pages <= configuration.memoryLimit / stateBytesPerPage else {
            throw SimulationError.exceedsMemoryLimit(pages: pages, bytesPerPage: stateBytesPerPage, limit: configuration.memoryLimit)
        }
        return try ContentMap.build(images, configuration: configuration, progress: progress)
    }

    /// Simulates on `contents`, whose images are the snapshots of `guests`, guest-major.
    ///
    /// - Throws: ``TimelineError`` for inconsistent timelines, ``SimulationError`` when the
    ///   map does not fit the guests or simulated time cannot advance.
    public func run(contents: ContentMap, guests: [SimulatedGuest], progress: ProgressCounter? = nil) throws
        -> SimulationReport
    {
        let plan = try SimulationPlan(guests: guests)
        guard contents.layout.imageCount == plan.imageCount else {
            throw SimulationError.imageCountMismatch(map: contents.layout.imageCount, guests: plan.imageCount)
        }
        let slots = plan.images.map { list in list.map { contents.layout.pages(of: $0).count }.max() ?? 0 }
        var simulator = KSMSimulator(
            contents: contents, guestImages: plan.images.map { $0[0] }, guestPages: slots, tunables: tunables,
            kernel: kernel, costs: costs, pageSize: configuration.pageSize.bytes)
        var tracker = ConvergenceTracker(
            target: ConvergenceSummary.convergedSavedPages(
                contents: contents, images: plan.images.map { $0[0] }, tunables: tunables))
        let length = resolvedLength(plan)
        switch length {
        case .fullScans(let count): progress?.setTotal(count)
        case .seconds(let seconds): progress?.setTotal(Int(seconds * 1000))
        case .automatic: break
        }

        var samples: [SimulationSample] = []
        var timeSamples: [SimulationSample] = []
        var steps: [SimulationReport.Step] = []
        if plan.triggers.count > 1 {
            steps.append(.init(step: 0, startFullScans: 0, startSeconds: 0, pagesWritten: 0, end: simulator.sample))
        }
        var nextStep = 1
        var nextMark = everySeconds

        func applyStep(_ step: Int) {
            steps[steps.count - 1].end = simulator.sample
            tracker.willWrite(simulator)
            var writes = 0
            for (guest, guestImages) in plan.images.enumerated() where step < guestImages.count {
                writes += simulator.apply(
                    image: guestImages[step], toGuest: guest, writtenPages: guests[guest].snapshots[step].writtenPages)
            }
            tracker.didWrite(writes, simulator)
            steps.append(
                .init(
                    step: step, startFullScans: simulator.fullScans, startSeconds: simulator.seconds, pagesWritten: writes,
                    end: simulator.sample))
        }
        func timedEvents(upTo now: Double) {
            while true {
                var stepTime: Double?
                if nextStep < plan.triggers.count, case .atSeconds(let seconds) = plan.triggers[nextStep] {
                    stepTime = seconds
                }
                if let mark = nextMark, mark <= now, stepTime.map({ mark <= $0 }) ?? true {
                    var sample = simulator.sample
                    sample.tSeconds = mark
                    timeSamples.append(sample)
                    nextMark = mark + everySeconds!
                } else if let stepTime, stepTime <= now {
                    applyStep(nextStep)
                    nextStep += 1
                } else {
                    return
                }
            }
        }

        while true {
            timedEvents(upTo: simulator.seconds)
            if case .seconds(let end) = length, simulator.seconds >= end { break }
            let before = simulator.seconds
            let ended = simulator.scanBatch()
            tracker.observe(simulator)
            if case .seconds = length {
                progress?.set(completed: Int(simulator.seconds * 1000))
            } else if ended {
                progress?.set(completed: simulator.fullScans)
            }
            if ended {
                samples.append(simulator.sample)
                if nextStep < plan.triggers.count, case .afterFullScans(let scans) = plan.triggers[nextStep],
                    simulator.fullScans >= scans
                {
                    applyStep(nextStep)
                    nextStep += 1
                }
                if case .fullScans(let count) = length, simulator.fullScans >= count { break }
            }
            simulator.sleepAfterBatch()
            guard simulator.seconds > before else { throw SimulationError.timeStandsStill }
        }
        if case .fullScans = length { timedEvents(upTo: simulator.seconds) }
        if !steps.isEmpty { steps[steps.count - 1].end = simulator.sample }

        let last = plan.images.map { $0[$0.count - 1] }
        let summary = tracker.summary(
            simulator,
            finalMemoryTarget: ConvergenceSummary.convergedSavedPages(
                contents: contents, images: last, tunables: tunables))
        let stats = simulator.processStats
        let reportImages = guests.enumerated().map { index, guest in
            SimulationReport.Image(
                name: guest.name, path: guest.snapshots[0].path,
                snapshots: guest.isTimeline ? guest.snapshots.map(\.path) : nil, pages: slots[index],
                ksmRmapItems: stats[index].ksmRmapItems, ksmMergingPages: stats[index].ksmMergingPages,
                ksmZeroPages: stats[index].ksmZeroPages, ksmProcessProfit: stats[index].ksmProcessProfit)
        }
        var requestedScans: Int?
        var requestedSeconds: Double?
        switch length {
        case .fullScans(let count): requestedScans = count
        case .seconds(let seconds): requestedSeconds = seconds
        case .automatic: break
        }
        return SimulationReport(
            settings: .init(
                tunables: tunables, kernel: kernel, profile: profile, costs: costs,
                pageSize: configuration.pageSize.bytes,
                guests: guests.count, pages: slots.reduce(0, +), distinctContents: contents.contentCount,
                fullScans: requestedScans, seconds: requestedSeconds, everySeconds: everySeconds),
            samples: samples, timeSamples: everySeconds == nil ? nil : timeSamples, steps: steps.isEmpty ? nil : steps,
            images: reportImages, summary: summary)
    }

    /// How long a simulation of `guests` runs: ``length``, or what `automatic` means for them
    /// (never `automatic`).
    ///
    /// - Throws: ``TimelineError`` for inconsistent timelines.
    public func length(for guests: [SimulatedGuest]) throws -> RunLength {
        resolvedLength(try SimulationPlan(guests: guests))
    }

    /// The length to run for `plan`: ``length`` unless automatic.
    func resolvedLength(_ plan: SimulationPlan) -> RunLength {
        guard case .automatic = length else { return length }
        let triggers = plan.triggers
        guard triggers.count > 1 else { return .fullScans(Self.defaultFullScans) }
        let lastIndex = triggers.count - 1
        switch (triggers[lastIndex - 1], triggers[lastIndex]) {
        case (.afterFullScans(let previous), .afterFullScans(let last)): return .fullScans(2 * last - previous)
        case (.start, .afterFullScans(let last)): return .fullScans(2 * last)
        case (.atSeconds(let previous), .atSeconds(let last)): return .seconds(2 * last - previous)
        case (.start, .atSeconds(let last)): return .seconds(2 * last)
        default: return .fullScans(Self.defaultFullScans)
        }
    }
}

/// A simulation that cannot run.
public enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No guests were named.
    case noGuests
    /// The content map holds another number of images than the guests' snapshots.
    case imageCountMismatch(map: Int, guests: Int)
    /// ksmd's batches and sleeps take no simulated time (`sleep_millisecs` 0 and zero costs).
    case timeStandsStill
    /// The guests' pages, at what a simulation keeps of each, do not fit `--memory-limit`.
    case exceedsMemoryLimit(pages: Int, bytesPerPage: Int, limit: Int)

    public var description: String {
        switch self {
        case .noGuests: "name at least one image, folder or timeline"
        case .imageCountMismatch(let map, let guests):
            "the content map has \(map) images but the guests have \(guests) snapshots"
        case .timeStandsStill:
            "simulated time does not advance: sleep_millisecs is 0 and the cost profile charges nothing"
        case .exceedsMemoryLimit(let pages, let bytesPerPage, let limit):
            "simulating ksmd needs every page in memory: \(pages) pages × \(bytesPerPage) bytes = "
                + "\(Figures.bytes(pages * bytesPerPage)), beyond --memory-limit \(Figures.bytes(limit)) "
                + "(raise --memory-limit; 'ksmscope scan' and 'ksmscope plan' give the steady state in bounded memory)"
        }
    }
}
