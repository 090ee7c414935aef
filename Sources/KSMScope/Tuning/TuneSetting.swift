/// One ksmd setting `tune` tried, and what the simulator predicts for it.
public struct TuneSetting: Sendable, Equatable, Codable {
    /// `pages_to_scan`; with the advisor, the value it settled on at the end.
    public var pagesToScan: Int
    /// `sleep_millisecs`.
    public var sleepMillisecs: Int
    /// `smart_scan`.
    public var smartScan: Bool
    /// `advisor_mode`: none, or scan-time (then `pages_to_scan` is the advisor's).
    public var advisorMode: SimulatorTunables.AdvisorMode
    /// `advisor_target_scan_time`, seconds, with the advisor.
    public var advisorTargetScanTime: Int?
    /// `advisor_max_cpu`, percent, with the advisor.
    public var advisorMaxCPU: Int?
    /// ksmd's CPU in percent of one CPU from the start until the saving has converged (100 %).
    public var cpuPercentConverging: Double
    /// ksmd's CPU in percent of one CPU once converged: over the last full scans (a whole
    /// period of smart scan's skips), or with a timeline from the first guest write to the end.
    public var cpuPercentSteady: Double
    /// Seconds until the saving first reached 50 % of the converged saving; nil if never.
    public var secondsTo50: Double?
    /// The same for 90 %.
    public var secondsTo90: Double?
    /// The same for 99 %.
    public var secondsTo99: Double?
    /// The same for 100 %: the time to converge.
    public var secondsTo100: Double?
    /// Bytes saved at steady state: the converged saving on static memory; with a timeline, the
    /// time-weighted average from the first guest write to the end.
    public var steadySavedBytes: Double
    /// With a timeline: copy-on-write breaks of merged pages per second.
    public var cowBreaksPerSecond: Double?
    /// Seconds a full scan takes once converged.
    public var fullScanSeconds: Double
    /// Whether no other setting converges at least as fast for at most the same CPU (and is
    /// better in one of the two): on the CPU-versus-time Pareto front.
    public var pareto: Bool = false

    /// The CPU a budget is checked against: the larger of converging and steady.
    public var cpuPercent: Double { max(cpuPercentConverging, cpuPercentSteady) }

    /// The time to converge, infinite if never.
    public var convergeSeconds: Double { secondsTo100 ?? .infinity }

    /// Creates a row from a run's moments.
    ///
    /// - Parameters:
    ///   - milestones: when 50, 90, 99 and 100 % were reached: wall and CPU seconds.
    ///   - scanEnds: the end of every full scan, wall and CPU seconds.
    ///   - window: how many of the last full scans are the steady state.
    init(
        pagesToScan: Int, sleepMillisecs: Int, smartScan: Bool, advisorMode: SimulatorTunables.AdvisorMode = .none,
        advisorTargetScanTime: Int? = nil, advisorMaxCPU: Int? = nil, milestones: [(seconds: Double, cpu: Double)?],
        scanEnds: [(seconds: Double, cpu: Double)], window: Int, savedBytes: Double
    ) {
        self.pagesToScan = pagesToScan
        self.sleepMillisecs = sleepMillisecs
        self.smartScan = smartScan
        self.advisorMode = advisorMode
        self.advisorTargetScanTime = advisorTargetScanTime
        self.advisorMaxCPU = advisorMaxCPU
        secondsTo50 = milestones[0]?.seconds
        secondsTo90 = milestones[1]?.seconds
        secondsTo99 = milestones[2]?.seconds
        secondsTo100 = milestones[3]?.seconds
        let last = scanEnds.last ?? (0, 0)
        let firstIndex = scanEnds.count - 1 - window
        let first = firstIndex >= 0 ? scanEnds[firstIndex] : (seconds: 0.0, cpu: 0.0)
        let span = last.seconds - first.seconds
        cpuPercentSteady = span > 0 ? (last.cpu - first.cpu) / span * 100 : 0
        fullScanSeconds = span / Double(max(1, min(window, scanEnds.count)))
        if let converged = milestones[3], converged.seconds > 0 {
            cpuPercentConverging = converged.cpu / converged.seconds * 100
        } else {
            cpuPercentConverging = cpuPercentSteady
        }
        steadySavedBytes = savedBytes
    }

    enum CodingKeys: String, CodingKey {
        case pareto
        case pagesToScan = "pages_to_scan"
        case sleepMillisecs = "sleep_millisecs"
        case smartScan = "smart_scan"
        case advisorMode = "advisor_mode"
        case advisorTargetScanTime = "advisor_target_scan_time"
        case advisorMaxCPU = "advisor_max_cpu"
        case cpuPercentConverging = "cpu_percent_converging"
        case cpuPercentSteady = "cpu_percent_steady"
        case secondsTo50 = "seconds_to_50"
        case secondsTo90 = "seconds_to_90"
        case secondsTo99 = "seconds_to_99"
        case secondsTo100 = "seconds_to_100"
        case steadySavedBytes = "steady_saved_bytes"
        case cowBreaksPerSecond = "cow_breaks_per_second"
        case fullScanSeconds = "full_scan_seconds"
    }

    /// Encodes every key, a milestone never reached as null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pagesToScan, forKey: .pagesToScan)
        try container.encode(sleepMillisecs, forKey: .sleepMillisecs)
        try container.encode(smartScan, forKey: .smartScan)
        try container.encode(advisorMode, forKey: .advisorMode)
        try container.encodeIfPresent(advisorTargetScanTime, forKey: .advisorTargetScanTime)
        try container.encodeIfPresent(advisorMaxCPU, forKey: .advisorMaxCPU)
        try container.encode(cpuPercentConverging, forKey: .cpuPercentConverging)
        try container.encode(cpuPercentSteady, forKey: .cpuPercentSteady)
        try container.encode(secondsTo50, forKey: .secondsTo50)
        try container.encode(secondsTo90, forKey: .secondsTo90)
        try container.encode(secondsTo99, forKey: .secondsTo99)
        try container.encode(secondsTo100, forKey: .secondsTo100)
        try container.encode(steadySavedBytes, forKey: .steadySavedBytes)
        try container.encodeIfPresent(cowBreaksPerSecond, forKey: .cowBreaksPerSecond)
        try container.encode(fullScanSeconds, forKey: .fullScanSeconds)
        try container.encode(pareto, forKey: .pareto)
    }

    /// Marks the settings on the CPU-versus-time Pareto front (``cpuPercent`` against
    /// ``convergeSeconds``, both smaller is better).
    static func markPareto(_ settings: inout [TuneSetting]) {
        for index in settings.indices {
            let candidate = settings[index]
            settings[index].pareto = !settings.contains { other in
                other.cpuPercent <= candidate.cpuPercent && other.convergeSeconds <= candidate.convergeSeconds
                    && (other.cpuPercent < candidate.cpuPercent || other.convergeSeconds < candidate.convergeSeconds)
            }
        }
    }
}
