/// The whole `plan` job: read the guests once into a content map, fold them through the KSM
/// rules into a sharing curve, simulate ksmd on them (and on their churn) for the saving that
/// can be counted on, and answer the capacity questions of one host, or place the guests on
/// several.
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
    /// processes as one-snapshot guests) into one content map, and plans.
    ///
    /// - Parameters:
    ///   - progress: advanced by one per page read.
    ///   - willPlan: called once the pages are read.
    public func run(
        guests: [SimulatedGuest], images: [any PageSource], progress: ProgressCounter? = nil, willPlan: () -> Void = {}
    ) throws -> CapacityPlan {
        guard !guests.isEmpty else { throw PlanError.noGuests }
        let contents = try ContentMap.build(images, configuration: simulation.configuration, progress: progress)
        willPlan()
        return try run(contents: contents, guests: guests)
    }

    /// Plans on `contents`, whose images are the snapshots of `guests`, guest-major.
    public func run(contents: ContentMap, guests: [SimulatedGuest]) throws -> CapacityPlan {
        guard !guests.isEmpty else { throw PlanError.noGuests }
        if policy == .domain, domainRules == nil { throw PlanError.domainPolicyNeedsDomains }
        if let hosts, hosts < 1 { throw PlanError.hosts(hosts) }
        let pageSize = simulation.configuration.pageSize.bytes
        let tunables = tunables
        var firstImage: [Int] = []
        var next = 0
        for guest in guests {
            firstImage.append(next)
            next += guest.snapshots.count
        }
        let paths = guests.map { $0.snapshots[0].path }
        let domains = domainRules.map { MergeDomains(rules: $0, images: paths) }
        func groups(_ policy: MergePolicy) -> MergeGroups {
            MergeGroups(contents: contents, guestImages: firstImage, policy: policy, domains: domains?.indices)
        }
        var notes: [String] = []

        // ksmd on the guests, for convergence over time and the saving under churn.
        var job = simulation
        if policy == .intraImage { job.tunables.mergeAcrossNodes = false }
        if job.everySeconds == nil { job.everySeconds = Self.sampleInterval(pages: contents.layout.totalPages, job.tunables) }
        let simulated = try job.run(contents: contents, guests: guests)
        let (churn, converged) = Self.churn(simulated, headroomPercent: host.headroomPercent, pageSize: pageSize)
        if !converged {
            notes.append(
                "ksmd did not reach the converged saving before the guests' first writes: the saving under churn is the lowest seen after them")
        }

        // The plan's policy, and every other one beside it.
        let planGroups = groups(policy)
        let curve = SharingCurve(groups: planGroups, tunables: tunables, pageSize: pageSize)
        let fit = try Self.fit(curve: curve, host: host, savingFactor: churn.savingFactor)
        guard fit.withKSMUnderChurn > 0 else {
            throw PlanError.hostTooSmall(
                guest: paths[0],
                needs: curve.guestMemory[0] + host.guestOverhead - Int(churn.savingFactor * Double(curve.saved(guests: 1))),
                usable: host.usable)
        }
        var curves: [MergePolicy: SharingCurve] = [policy: curve]
        for other in MergePolicy.allCases where other != policy && (other != .domain || domains != nil) {
            curves[other] = SharingCurve(groups: groups(other), tunables: tunables, pageSize: pageSize)
        }
        func figures(_ policy: MergePolicy) throws -> CapacityPlan.PolicyFigures? {
            guard let curve = curves[policy] else { return nil }
            return .init(
                savedBytes: curve.saved(guests: curve.inputCount),
                guestsFit: try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: churn.savingFactor))
        }

        let n = guests.count
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
        let intra = curves[.intraImage]!
        let within =
            policy == .zeroOnly ? 0 : intra.saved(guests: n) - intra.zeroSaved(guests: n)

        let profiles = GuestProfiles(groups: planGroups, tunables: tunables)
        var heatMap: CapacityPlan.HeatMap?
        if n <= CapacityPlan.HeatMap.guestLimit {
            var matrix = Array(repeating: Array(repeating: 0, count: n), count: n)
            for a in 0..<n {
                matrix[a][a] = profiles.aloneSaved(a) * pageSize
                for b in a + 1..<n {
                    let gain = profiles.pairGain(a, b) * pageSize
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
                profiles: profiles, paths: paths, costs: curve.guestMemory.map { $0 + host.guestOverhead },
                host: host, savingFactor: churn.savingFactor, pageSize: pageSize, hosts: hosts)
        }

        var cpu: KsmdCost?
        if let pricing {
            let tuner = KsmdTuner(
                profile: pricing, tunables: job.tunables, kernel: job.kernel, goal: TuneGoal(),
                hostMemoryBytes: host.hostMemory,
                freeMemoryBytes: max(0, host.usable - curve.memory(guests: planned) - planned * host.guestOverhead))
            cpu = try KsmdCost.sweep(
                tuner, contents: contents, guests: guests, pageSize: pageSize, plannedSavedBytes: unmergeRisk)
        } else {
            notes.append("ksmd's CPU is not priced: give --profile (a profile from 'ksmscope calibrate')")
        }

        let thp = HugePageReport(groups: planGroups, tunables: tunables, pageSize: pageSize, paths: paths)
        var plan = CapacityPlan(
            pageSize: pageSize, tunables: tunables, policy: policy, host: host,
            guests: (0..<n).map { guest in
                .init(
                    path: paths[guest], memoryBytes: curve.guestMemory[guest],
                    aloneSavedBytes: profiles.aloneSaved(guest) * pageSize, domain: domains?.names[guest])
            },
            sharingCurve: curve.points(upTo: max(n, fit.withKSM)),
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
            thp: thp, heatMap: heatMap,
            convergence: Self.convergence(simulated, tunables: job.tunables, pageSize: pageSize),
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
        let domains = domainRules.map { MergeDomains(rules: $0, images: paths) }
        let groups = MergeGroups(contents: contents, guestImages: guestImages, policy: policy, domains: domains?.indices)
        let pageSize = simulation.configuration.pageSize.bytes
        return Self.place(
            profiles: GuestProfiles(groups: groups, tunables: tunables), paths: paths,
            costs: guestImages.map { contents.layout.pages(of: $0).count * pageSize + host.guestOverhead }, host: host,
            savingFactor: savingFactor, pageSize: pageSize, hosts: hosts)
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
