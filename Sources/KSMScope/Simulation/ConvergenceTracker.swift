/// Watches a running simulation batch by batch and builds its ``ConvergenceSummary``.
struct ConvergenceTracker: Sendable {
    /// The saving converged on the first memory, pages.
    let target: Int
    /// Per milestone: full scans, seconds and ksmd's CPU seconds when reached.
    private(set) var reached: [(fullScans: Int, seconds: Double, cpu: Double)?]
    /// When churn started (the first write), seconds.
    private(set) var churnStart: Double?
    /// `cowBreaks` when churn started.
    private var cowBreaksAtStart = 0
    /// ksmd's CPU seconds when churn started.
    private var cpuAtStart = 0.0
    /// Writes made since churn started.
    private(set) var writes = 0
    /// ∫ saved pages dt since churn started, page-seconds.
    private var savedIntegral: Double = 0
    /// The last moment and saving integrated up to.
    private var last: (seconds: Double, saved: Int) = (0, 0)

    /// Starts tracking towards `target` saved pages.
    init(target: Int) {
        self.target = target
        reached = Array(repeating: target == 0 ? (0, 0, 0) : nil, count: ConvergenceSummary.milestonePercents.count)
    }

    /// Looks at the simulator after a batch (or a write).
    mutating func observe(_ simulator: KSMSimulator) {
        let saved = simulator.savedPages
        let now = simulator.seconds
        for (index, percent) in ConvergenceSummary.milestonePercents.enumerated()
        where reached[index] == nil && saved * 100 >= target * percent {
            reached[index] = (simulator.fullScans, now, simulator.cpuNanoseconds / 1e9)
        }
        if churnStart != nil { savedIntegral += Double(last.saved) * (now - last.seconds) }
        last = (now, saved)
    }

    /// A snapshot is about to take effect: guests are about to write.
    mutating func willWrite(_ simulator: KSMSimulator) {
        observe(simulator)
        if churnStart == nil {
            churnStart = simulator.seconds
            cowBreaksAtStart = simulator.cowBreaks
            cpuAtStart = simulator.cpuNanoseconds / 1e9
        }
    }

    /// Guests wrote `count` pages.
    mutating func didWrite(_ count: Int, _ simulator: KSMSimulator) {
        writes += count
        observe(simulator)
    }

    /// The summary at the end of the run.
    func summary(_ simulator: KSMSimulator, finalMemoryTarget: Int) -> ConvergenceSummary {
        var tracker = self
        tracker.observe(simulator)
        let sample = simulator.sample
        let seconds = simulator.seconds
        let churn = tracker.churnStart.map { start in
            let span = seconds - start
            let breaks = simulator.cowBreaks - tracker.cowBreaksAtStart
            let average = span > 0 ? tracker.savedIntegral / span : Double(simulator.savedPages)
            return ConvergenceSummary.Churn(
                startSeconds: start, seconds: span, pagesWritten: tracker.writes, cowBreaks: breaks,
                cowBreaksPerSecond: span > 0 ? Double(breaks) / span : 0, averageSavedPages: average,
                averageSavedBytes: average * Double(simulator.pageSize),
                ksmdCPUSeconds: sample.ksmdCPUSeconds - tracker.cpuAtStart)
        }
        return ConvergenceSummary(
            fullScans: simulator.fullScans, seconds: seconds, ksmdCPUSeconds: sample.ksmdCPUSeconds,
            ksmdCPUShare: seconds > 0 ? sample.ksmdCPUSeconds / seconds : 0, convergedSavedPages: target,
            convergedSavedBytes: target * simulator.pageSize,
            milestones: zip(ConvergenceSummary.milestonePercents, tracker.reached).map { percent, moment in
                .init(
                    percent: percent, fullScans: moment?.fullScans, tSeconds: moment?.seconds,
                    ksmdCPUSeconds: moment?.cpu)
            },
            finalSavedPages: simulator.savedPages, finalGeneralProfit: sample.generalProfit,
            finalMemoryConvergedSavedPages: finalMemoryTarget, churn: churn)
    }
}
