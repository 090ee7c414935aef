/// The whole `plan` job: read the guests once, fold their contents through the KSM rules into
/// sharing curves (``PlanTally``), simulate ksmd on them (and on their churn) for the saving
/// that can be counted on, and answer the capacity questions of one host, or place the guests
/// on several; in bounded memory, and from a sample, when asked.
public struct CapacityPlanning: Sendable {
    /// The host every guest is placed on (or each of ``hosts``).
    public var host: HostSpec
    /// The policy the plan is made under.
    public var policy: MergePolicy
    /// Rules of the domain policy, if given.
    public var domainRules: [(pattern: String, domain: String)]?
    /// The simulator's settings (its tunables carry `max_page_sharing` and `use_zero_pages`).
    public var simulation: KSMSimulation
    /// Hosts to place the guests on (`--hosts`); nil for the one-host plan only.
    public var hosts: Int?
    /// The profile that prices ksmd's CPU (`--profile`): with it the plan sweeps ksmd's
    /// settings as `tune` does (``KsmdCost``); nil leaves the plan unpriced. The simulator's own
    /// costs are ``simulation``'s.
    public var pricing: KsmdProfile?

    /// Creates a plan job.
    public init(
        host: HostSpec, policy: MergePolicy = .all, domainRules: [(pattern: String, domain: String)]? = nil,
        simulation: KSMSimulation = .init(), hosts: Int? = nil, pricing: KsmdProfile? = nil
    ) {
        self.host = host
        self.policy = policy
        self.domainRules = domainRules
        self.simulation = simulation
        self.hosts = hosts
        self.pricing = pricing
    }

    /// The merge tunables the plan predicts for.
    public var tunables: KSMTunables { simulation.tunables.merging }

    /// Opens every snapshot of `guests` (guest-major) as a scan would.
    ///
    /// - Throws: ``ImageError`` or ``DumpError`` for a file that cannot be read as an image.
    public func openImages(_ guests: [SimulatedGuest]) throws -> [any PageSource] {
        try ImagePaths.open(guests.flatMap { $0.snapshots.map(\.path) }, pageSize: simulation.configuration.pageSize)
    }

    /// Reads `images` (every snapshot of `guests`, guest-major: ``openImages(_:)``, then live
    /// processes as one-snapshot guests) and plans, within ``ScanConfiguration/memoryLimit``.
    ///
    /// While ksmd's simulator fits the limit (``KSMSimulation/stateBytesPerPage`` a page of
    /// every snapshot), every page is read into one content map and the plan is whole. Beyond
    /// it, and for a sample (`--sample 1/N`, or sampled fingerprint files), the guests' memory
    /// is folded through the fingerprint engine's partitions (``PlanPartitions``) in bounded
    /// memory; the simulator's parts (convergence, the timeline's churn, the CPU) are left out
    /// with a note, and a sample's savings are estimates with 95 % intervals.
    ///
    /// - Parameters:
    ///   - progress: advanced by one per page read (its total is set here).
    ///   - willPlan: called once the pages are read.
    public func run(
        guests: [SimulatedGuest], images: [any PageSource], progress: ProgressCounter? = nil, willPlan: () -> Void = {}
    ) throws -> CapacityPlan {
        try check(guests)
        let configuration = simulation.configuration
        let firstImages = Self.firstImages(guests)
        guard images.count == firstImages.last.map({ $0 + guests.last!.snapshots.count }) else {
            throw SimulationError.imageCountMismatch(map: images.count, guests: guests.reduce(0) { $0 + $1.snapshots.count })
        }
        let guestInputs = firstImages.map { images[$0] }
        let sample = FingerprintScan(configuration: configuration, tunables: tunables).sample(for: guestInputs)
        let pages = images.reduce(0) { $0 + $1.pageCount }
        let simulatorBytes = pages * KSMSimulation.stateBytesPerPage
        let simulates = !sample.isSampling && simulatorBytes <= configuration.memoryLimit
        if simulates, configuration.partitions == nil {
            progress?.setTotal(pages)
            let contents = try ContentMap.build(images, configuration: configuration, progress: progress)
            willPlan()
            return try run(
                contents: contents, guests: guests, equality: SteadyStateScan(configuration: configuration).equality(for: images))
        }
        progress?.setTotal(guestInputs.reduce(0) { $0 + $1.pageCount })
        var bounded = configuration
        bounded.sample = sample
        let setup = setup(guestPages: guestInputs.map(\.pageCount), paths: guests.map { $0.snapshots[0].path }, sampled: sample.isSampling)
        let outcome = try PlanPartitions(configuration: bounded, setup: setup).run(guestInputs, progress: progress)
        var notes: [String] = []
        var contents: ContentMap?
        if sample.isSampling {
            notes.append(
                "sampled 1/\(sample.every) of the contents (zero pages in full): savings are estimates, guests that fit are "
                    + "counted on the low end of each 95 % confidence interval")
            notes.append(
                "left out of a sampled plan: ksmd's simulation (convergence, churn, CPU) and huge-page regions, which need "
                    + "every page; the saving under churn is the steady state's")
        } else if simulates {
            // Only with partitions asked for (--partitions): the simulator still fits.
            contents = try ContentMap.build(images, configuration: configuration)
        } else {
            notes.append(
                "ksmd is not simulated (convergence, \(guests.contains(where: \.isTimeline) ? "the timeline's churn, " : "")CPU): "
                    + "its simulator needs \(KSMSimulation.stateBytesPerPage) bytes a page, \(Figures.bytes(simulatorBytes)) for "
                    + "\(pages) pages, beyond --memory-limit \(Figures.bytes(configuration.memoryLimit)); "
                    + "the saving under churn is the steady state's")
        }
        willPlan()
        return try plan(
            tally: outcome.tally, every: sample.every, equality: .fingerprint128, contents: contents, guests: guests,
            notes: notes)
    }

    /// Plans on `contents`, whose images are the snapshots of `guests`, guest-major; every
    /// page is there, so the plan is whole (ksmd simulated, huge pages counted).
    ///
    /// - Parameter equality: how the map's contents were told apart.
    public func run(contents: ContentMap, guests: [SimulatedGuest], equality: ScanEquality = .bytes) throws -> CapacityPlan {
        try check(guests)
        let firstImages = Self.firstImages(guests)
        let setup = setup(
            guestPages: firstImages.map { contents.layout.pages(of: $0).count }, paths: guests.map { $0.snapshots[0].path },
            sampled: false)
        let tally = try PlanTally.fold(
            contents: contents, guestImages: firstImages, setup: setup, workers: simulation.configuration.threads)
        return try plan(tally: tally, every: 1, equality: equality, contents: contents, guests: guests, notes: [])
    }

    /// Refuses what no plan can be made of.
    private func check(_ guests: [SimulatedGuest]) throws {
        guard !guests.isEmpty else { throw PlanError.noGuests }
        if policy == .domain, domainRules == nil { throw PlanError.domainPolicyNeedsDomains }
        if let hosts, hosts < 1 { throw PlanError.hosts(hosts) }
    }

    /// Each guest's first snapshot among its guests' snapshots, guest-major.
    static func firstImages(_ guests: [SimulatedGuest]) -> [Int] {
        var first: [Int] = []
        var next = 0
        for guest in guests {
            first.append(next)
            next += guest.snapshots.count
        }
        return first
    }

    /// What the tally counts for guests of `guestPages` pages named `paths`.
    func setup(guestPages: [Int], paths: [String], sampled: Bool) -> PlanTally.Setup {
        PlanTally.Setup(
            tunables: tunables, policy: policy, guestPages: guestPages,
            domainOfGuest: domainRules.map { MergeDomains(rules: $0, images: paths).indices },
            pageSize: simulation.configuration.pageSize.bytes, pairs: guestPages.count <= CapacityPlan.HeatMap.guestLimit,
            profiles: hosts != nil, regions: !sampled)
    }

    /// The plan from the guests' tally (of a 1/`every` sample), with ksmd simulated on
    /// `contents` when given.
    private func plan(
        tally: PlanTally, every: Int, equality: ScanEquality, contents: ContentMap?, guests: [SimulatedGuest],
        notes: [String]
    ) throws -> CapacityPlan {
        let pageSize = simulation.configuration.pageSize.bytes
        let paths = guests.map { $0.snapshots[0].path }
        let domains = domainRules.map { MergeDomains(rules: $0, images: paths) }
        let n = guests.count
        var notes = notes

        // Every policy's curve: the estimate and the ends of its 95 % interval (all three
        // equal when every page was read). Capacity is counted on the low end.
        var curves: [MergePolicy: SampledCurve] = [:]
        for other in tally.setup.policies { curves[other] = SampledCurve(tally: tally, policy: other, every: every, pageSize: pageSize) }
        let planCurve = curves[policy]!
        let curve = planCurve.estimate

        // ksmd on the guests, for convergence over time and the saving under churn.
        var job = simulation
        if policy == .intraImage { job.tunables.mergeAcrossNodes = false }
        var simulated: SimulationReport?
        let churn: CapacityPlan.Churn
        if let contents {
            if job.everySeconds == nil { job.everySeconds = Self.sampleInterval(pages: contents.layout.totalPages, job.tunables) }
            let report = try job.run(contents: contents, guests: guests)
            let (found, converged) = Self.churn(report, headroomPercent: host.headroomPercent, pageSize: pageSize)
            if !converged {
                notes.append(
                    "ksmd did not reach the converged saving before the guests' first writes: the saving under churn is the lowest seen after them")
            }
            simulated = report
            churn = found
        } else {
            // What ksmd converges to: per guest without merge_across_nodes.
            let converged = curves[job.tunables.mergeAcrossNodes ? .all : .intraImage]!.estimate.saved(guests: n)
            churn = .init(
                source: "steady_state", convergedSavedBytes: converged, lowestSavedBytes: converged,
                savingFactor: 1 - host.headroomPercent / 100)
        }

        let fit = try Self.fit(curve: planCurve.low, host: host, savingFactor: churn.savingFactor)
        guard fit.withKSMUnderChurn > 0 else {
            throw PlanError.hostTooSmall(
                guest: paths[0],
                needs: curve.guestMemory[0] + host.guestOverhead - Int(churn.savingFactor * Double(planCurve.low.saved(guests: 1))),
                usable: host.usable)
        }
        func figures(_ policy: MergePolicy) throws -> CapacityPlan.PolicyFigures? {
            guard let sampled = curves[policy] else { return nil }
            let saving = sampled.savings[n - 1]
            return .init(
                savedBytes: saving.savedBytes,
                guestsFit: try HostCapacity.guestsFit(curve: sampled.low, host: host, savingFactor: churn.savingFactor),
                savedBytesLow: every > 1 ? saving.savedBytesLow : nil, savedBytesHigh: every > 1 ? saving.savedBytesHigh : nil)
        }

        let planned = fit.withKSMUnderChurn
        let ratio = HostCapacity.ramAllocationRatio(curve: curve, host: host, guests: planned)
        if ratio.admitted < planned {
            notes.append(
                "ram_allocation_ratio rounded down to 2 decimals admits \(ratio.admitted) guests, not \(planned)")
        }
        if max(fit.withKSM, planned) > n {
            notes.append(
                "guests beyond the \(n) inputs repeat the inputs in order; their saving repeats the last input's marginal saving (extrapolated)")
        }
        let unmergeRisk = curve.saved(guests: planned)
        let zeroSaved = curve.zeroSaved(guests: planned)

        // Savings by kind: zero pages, then other pages within a guest (what salting keeps), and the rest.
        let inputsSaved = curve.saved(guests: n)
        let inputsZero = curve.zeroSaved(guests: n)
        let intra = curves[.intraImage]!.estimate
        let within = policy == .zeroOnly ? 0 : intra.saved(guests: n) - intra.zeroSaved(guests: n)

        // What a guest saves alone, and a pair together beyond that.
        func scaled(_ zero: Int, _ other: Int) -> Int { (zero + every * other) * pageSize }
        var heatMap: CapacityPlan.HeatMap?
        if tally.setup.pairs {
            var matrix = Array(repeating: Array(repeating: 0, count: n), count: n)
            for a in 0..<n {
                matrix[a][a] = scaled(tally.aloneZero[a], tally.aloneOther[a])
                for b in a + 1..<n {
                    let gain = scaled(tally.pairZero[a * n + b], tally.pairOther[a * n + b])
                    matrix[a][b] = gain
                    matrix[b][a] = gain
                }
            }
            heatMap = .init(guests: paths, savedBytes: matrix)
        } else {
            notes.append("the pairwise heat map is left out beyond \(CapacityPlan.HeatMap.guestLimit) guests")
        }

        var placement: PlacementReport?
        if let hosts {
            placement = Self.place(
                profiles: GuestProfiles(tally: tally, every: every), paths: paths,
                costs: curve.guestMemory.map { $0 + host.guestOverhead }, host: host, savingFactor: churn.savingFactor,
                pageSize: pageSize, hosts: hosts)
        }

        var cpu: KsmdCost?
        if let pricing, let contents {
            let sweepBytes = contents.layout.totalPages * KsmdTuner.stateBytesPerPage
            if sweepBytes <= simulation.configuration.memoryLimit {
                let tuner = KsmdTuner(
                    profile: pricing, tunables: job.tunables, kernel: job.kernel, goal: TuneGoal(),
                    hostMemoryBytes: host.hostMemory,
                    freeMemoryBytes: max(0, host.usable - curve.memory(guests: planned) - planned * host.guestOverhead))
                cpu = try KsmdCost.sweep(
                    tuner, contents: contents, guests: guests, pageSize: pageSize, plannedSavedBytes: unmergeRisk)
            } else {
                notes.append(
                    "ksmd's CPU is not priced: the sweep needs \(KsmdTuner.stateBytesPerPage) bytes a page, "
                        + "\(Figures.bytes(sweepBytes)), beyond --memory-limit \(Figures.bytes(simulation.configuration.memoryLimit))")
            }
        } else if pricing == nil {
            notes.append("ksmd's CPU is not priced: give --profile (a profile from 'ksmscope calibrate')")
        }

        var sample: CapacityPlan.Sample?
        if every > 1 {
            let saving = planCurve.savings[n - 1]
            sample = .init(
                every: every, savedBytes: saving.savedBytes, savedBytesLow: saving.savedBytesLow,
                savedBytesHigh: saving.savedBytesHigh,
                guestsFitAtEstimate: try Self.fit(curve: curve, host: host, savingFactor: churn.savingFactor),
                unmergeRiskBytesHigh: planCurve.high.saved(guests: planned))
        }

        var plan = CapacityPlan(
            pageSize: pageSize, tunables: tunables, policy: policy, equality: equality, sample: sample, host: host,
            guests: (0..<n).map { guest in
                .init(
                    path: paths[guest], memoryBytes: curve.guestMemory[guest],
                    aloneSavedBytes: scaled(tally.aloneZero[guest], tally.aloneOther[guest]), domain: domains?.names[guest])
            },
            sharingCurve: planCurve.points(upTo: max(n, fit.withKSM), intervals: every > 1),
            savingsByKind: .init(
                zeroBytes: inputsZero, withinGuestBytes: within,
                betweenGuestsBytes: inputsSaved - inputsZero - within),
            churn: churn, guestsFit: fit, ramAllocationRatio: Double(ratio.hundredths) / 100,
            nova: .init(
                reservedHostMemoryMB: host.reserved >> 20, ramAllocationRatio: Double(ratio.hundredths) / 100,
                guestsAdmitted: ratio.admitted),
            unmergeRiskBytes: unmergeRisk,
            overcommit: .init(
                guests: planned, ksmOnlyBytes: unmergeRisk - zeroSaved, balloonAlsoBytes: zeroSaved,
                swapNeededBytes: max(0, curve.memory(guests: planned) + planned * host.guestOverhead - host.usable)),
            policies: .init(
                all: try figures(.all)!, intraImage: try figures(.intraImage)!, zeroOnly: try figures(.zeroOnly)!,
                domain: try figures(.domain)),
            thp: tally.setup.regions ? HugePageReport(tally: tally, paths: paths, pageSize: pageSize) : nil,
            heatMap: heatMap,
            convergence: simulated.map { Self.convergence($0, tunables: job.tunables, pageSize: pageSize) },
            placement: placement, cpu: cpu, verdict: "", notes: notes)
        plan.verdict = plan.makeVerdict()
        return plan
    }

    /// Places the guests of `contents` (its images `guestImages`, one per guest, named `paths`)
    /// on ``hosts`` hosts under ``policy``, beside round-robin and first-fit, counting
    /// `savingFactor` of each host's saving when checking that it fits: the placement part of
    /// ``run(contents:guests:)`` on its own, for pages already hashed.
    public func placement(
        contents: ContentMap, guestImages: [Int], paths: [String], savingFactor: Double
    ) throws -> PlacementReport {
        guard let hosts, hosts >= 1 else { throw PlanError.hosts(hosts ?? 0) }
        let pageSize = simulation.configuration.pageSize.bytes
        let guestPages = guestImages.map { contents.layout.pages(of: $0).count }
        let setup = PlanTally.Setup(
            tunables: tunables, policy: policy, guestPages: guestPages,
            domainOfGuest: domainRules.map { MergeDomains(rules: $0, images: paths).indices }, pageSize: pageSize,
            pairs: false, profiles: true, regions: false)
        let tally = try PlanTally.fold(
            contents: contents, guestImages: guestImages, setup: setup, workers: simulation.configuration.threads)
        return Self.place(
            profiles: GuestProfiles(tally: tally, every: 1), paths: paths,
            costs: guestPages.map { $0 * pageSize + host.guestOverhead }, host: host, savingFactor: savingFactor,
            pageSize: pageSize, hosts: hosts)
    }

    /// Places the guests on `hosts` hosts, beside round-robin and first-fit.
    static func place(
        profiles: GuestProfiles, paths: [String], costs: [Int], host: HostSpec, savingFactor: Double, pageSize: Int,
        hosts: Int, allowExhaustive: Bool = true
    ) -> PlacementReport {
        let placement = FleetPlacement(
            profiles: profiles, costs: costs, usable: host.usable, savingFactor: savingFactor, pageSize: pageSize,
            hostCount: hosts)
        let (best, method) = placement.place(allowExhaustive: allowExhaustive)
        let roundRobin = placement.roundRobin()
        let firstFit = placement.firstFit()
        return PlacementReport(
            hosts: best.hosts.map { load in
                .init(
                    guests: load.guests.sorted().map { paths[$0] },
                    usedBytes: load.costBytes - load.savedPages * pageSize, savedBytes: load.savedPages * pageSize)
            },
            unplaced: best.unplaced.map { paths[$0] }, savedBytes: best.savedPages * pageSize,
            roundRobinSavedBytes: roundRobin.assignment.savedPages * pageSize, roundRobinFits: roundRobin.fits,
            firstFitSavedBytes: firstFit.savedPages * pageSize, firstFitUnplaced: firstFit.unplaced.count, method: method)
    }

    /// Guests that fit counting none, all, and `savingFactor` of the saving.
    static func fit(curve: SharingCurve, host: HostSpec, savingFactor: Double) throws(PlanError) -> CapacityPlan.GuestsFit {
        .init(
            withoutKSM: try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: 0),
            withKSM: try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: 1),
            withKSMUnderChurn: try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: savingFactor))
    }

    /// The saving a plan counts on: without a timeline the converged saving; with one, the
    /// lowest saving after ksmd first converged (or, if it never did before the guests wrote,
    /// after the first write); less the headroom. Also whether ksmd converged.
    static func churn(_ report: SimulationReport, headroomPercent: Double, pageSize: Int) -> (CapacityPlan.Churn, Bool) {
        let target = report.summary.convergedSavedPages
        let keep = 1 - headroomPercent / 100
        guard report.steps != nil, let start = report.summary.churn?.startSeconds else {
            return (
                .init(
                    source: "steady_state", convergedSavedBytes: target * pageSize, lowestSavedBytes: target * pageSize,
                    savingFactor: keep), true
            )
        }
        let samples = (report.samples + (report.timeSamples ?? [])).sorted { $0.tSeconds < $1.tSeconds }
        let first = samples.firstIndex { $0.savedPages >= target }
        let converged = first.map { samples[$0].tSeconds <= start } ?? false
        let after = first.map { Array(samples[$0...]) } ?? samples.filter { $0.tSeconds >= start }
        let lowest = after.map(\.savedPages).min() ?? target
        let share = target > 0 ? min(1, Double(lowest) / Double(target)) : 1
        return (
            .init(
                source: "timeline", convergedSavedBytes: target * pageSize, lowestSavedBytes: lowest * pageSize,
                savingFactor: share * keep), converged
        )
    }

    /// Time samples about ten per full scan, so the convergence chart has a shape.
    static func sampleInterval(pages: Int, _ tunables: SimulatorTunables) -> Double {
        let batches = Double(max(1, pages)) / Double(max(1, tunables.pagesToScan))
        let sleep = Double(tunables.sleepJiffies) / Double(tunables.hz)
        return max(sleep, batches.rounded(.up) * sleep / 10)
    }

    /// The convergence section from a simulation.
    static func convergence(_ report: SimulationReport, tunables: SimulatorTunables, pageSize: Int) -> CapacityPlan.Convergence {
        let samples = ([SimulationSample.zero] + report.samples + (report.timeSamples ?? [])).sorted {
            ($0.tSeconds, $0.fullScans) < ($1.tSeconds, $1.fullScans)
        }
        return .init(
            pagesToScan: tunables.pagesToScan, sleepMillisecs: tunables.sleepMillisecs,
            advisorMode: tunables.advisorMode.rawValue,
            points: samples.map {
                .init(
                    tSeconds: $0.tSeconds, fullScans: $0.fullScans, savedBytes: $0.savedPages * pageSize,
                    ksmdCPUSeconds: $0.ksmdCPUSeconds)
            },
            milestones: report.summary.milestones, churnStartSeconds: report.summary.churn?.startSeconds)
    }
}

extension SimulationSample {
    /// ksmd before it starts.
    static let zero = SimulationSample(
        tSeconds: 0, fullScans: 0, pagesScanned: 0, pagesShared: 0, pagesSharing: 0, pagesUnshared: 0, pagesVolatile: 0,
        pagesSkipped: 0, ksmZeroPages: 0, stableNodeChains: 0, stableNodeDups: 0, generalProfit: 0, ksmdCPUSeconds: 0,
        pagesToScan: 0, cowKSM: 0)
}
