/// What an operator asks of ksmd: at most this much CPU, converged within this long.
public struct TuneGoal: Sendable, Equatable, Codable {
    /// ksmd's CPU at most this percent of one CPU (converging and steady); nil for no limit.
    public var cpuBudgetPercent: Double?
    /// The saving converged (100 %) within this many seconds; nil for no deadline.
    public var convergeWithinSeconds: Double?
    /// Whether the budget is ``defaultBudgetPercent`` because neither limit was given.
    public var defaultBudget = false

    /// The budget used when neither a budget nor a deadline is given: 10 % of one CPU, the
    /// floor the kernel's scan-time advisor keeps ksmd at (`KSM_ADVISOR_MIN_CPU`).
    public static let defaultBudgetPercent = 10.0

    /// Creates a goal; with neither limit, ``defaultBudgetPercent`` applies.
    public init(cpuBudgetPercent: Double? = nil, convergeWithinSeconds: Double? = nil) {
        self.cpuBudgetPercent = cpuBudgetPercent
        self.convergeWithinSeconds = convergeWithinSeconds
        if cpuBudgetPercent == nil && convergeWithinSeconds == nil {
            self.cpuBudgetPercent = Self.defaultBudgetPercent
            defaultBudget = true
        }
    }

    /// Whether `setting` stays within the budget.
    public func withinBudget(_ setting: TuneSetting) -> Bool {
        cpuBudgetPercent.map { setting.cpuPercent <= $0 } ?? true
    }

    /// Whether `setting` converges by the deadline.
    public func withinDeadline(_ setting: TuneSetting) -> Bool {
        convergeWithinSeconds.map { setting.convergeSeconds <= $0 } ?? true
    }

    enum CodingKeys: String, CodingKey {
        case cpuBudgetPercent = "cpu_budget_percent"
        case convergeWithinSeconds = "converge_within_seconds"
        case defaultBudget = "default_budget"
    }
}
