/// What `ksmscope tune` reports: every setting tried with its CPU cost and convergence, the
/// scan-time advisor and ksmtuned on the same guests, and the recommendation.
///
/// JSON keys are the contract other tools rely on.
public struct TuneReport: Sendable, Equatable, Codable {
    /// The cost profile the predictions use.
    public var profile: KsmdProfile.Summary
    /// The guests.
    public var input: Input
    /// What was asked.
    public var goal: TuneGoal
    /// Every setting tried, the advisor's included.
    public var settings: [TuneSetting]
    /// The kernel's scan-time advisor with the given (or default) advisor knobs.
    public var advisor: AdvisorOutcome
    /// ksmtuned's loop at its defaults on the given host.
    public var ksmtuned: KsmtunedOutcome
    /// The recommended setting.
    public var recommended: TuneRecommendation?

    /// The guests tuned for.
    public struct Input: Sendable, Equatable, Codable {
        /// Guests (processes).
        public var guests: Int
        /// Their pages.
        public var pages: Int
        /// Bytes per page.
        public var pageSize: Int
        /// What ksmd saves once converged on the first memory, bytes.
        public var convergedSavedBytes: Int
        /// Whether the guests write (a timeline).
        public var timeline: Bool
        /// The tunables every setting shares (`max_page_sharing`, `use_zero_pages`, ...).
        public var tunables: SimulatorTunables
        /// Whose `cmp_and_merge_page()` order was followed.
        public var kernel: KernelVersion

        enum CodingKeys: String, CodingKey {
            case guests, pages, timeline, tunables, kernel
            case pageSize = "page_size"
            case convergedSavedBytes = "converged_saved_bytes"
        }
    }

    /// The advisor on the guests.
    public struct AdvisorOutcome: Sendable, Equatable, Codable {
        /// Its setting's predictions (`pages_to_scan` where it settled).
        public var setting: TuneSetting
        /// `pages_to_scan` the advisor set after each of the first full scans.
        public var pagesToScanAfterFullScans: [Int]

        enum CodingKeys: String, CodingKey {
            case setting
            case pagesToScanAfterFullScans = "pages_to_scan_after_full_scans"
        }
    }

    /// ksmtuned on the guests.
    public struct KsmtunedOutcome: Sendable, Equatable, Codable {
        /// `MemTotal` assumed, bytes.
        public var hostMemoryBytes: Int
        /// Free memory before KSM assumed, bytes.
        public var freeMemoryBytes: Int
        /// The sleep it writes.
        public var sleepMillisecs: Int
        /// Its threshold, bytes.
        public var thresholdBytes: Int
        /// Whether it ever lets ksmd run.
        public var runs: Bool
        /// Why not, when it does not.
        public var reason: String?
        /// Its first decisions, one a minute.
        public var decisions: [KsmtunedModel.Decision]
        /// Its predictions, counted from ksmtuned's start, when it runs ksmd.
        public var setting: TuneSetting?

        enum CodingKeys: String, CodingKey {
            case runs, reason, decisions, setting
            case hostMemoryBytes = "host_memory_bytes"
            case freeMemoryBytes = "free_memory_bytes"
            case sleepMillisecs = "sleep_millisecs"
            case thresholdBytes = "threshold_bytes"
        }
    }
}
