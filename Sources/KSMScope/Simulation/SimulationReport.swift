/// What `ksmscope simulate` reports: the settings, ksmd's counters after every full scan (and
/// every `--every` seconds), the state at the end of each snapshot's period, each guest's
/// `ksm_stat`, and the convergence summary.
///
/// JSON keys are the contract other tools rely on; they use the kernel's names.
public struct SimulationReport: Sendable, Equatable, Codable {
    /// What was simulated.
    public var settings: Settings
    /// One sample at the end of each full scan, in order.
    public var samples: [SimulationSample]
    /// With `--every S`: one sample every S simulated seconds.
    public var timeSamples: [SimulationSample]?
    /// For timelines: per snapshot, the state at the end of its period.
    public var steps: [Step]?
    /// Per guest (process), in order.
    public var images: [Image]
    /// Convergence, CPU and copy-on-write figures.
    public var summary: ConvergenceSummary

    /// The simulation's settings.
    public struct Settings: Sendable, Equatable, Codable {
        /// ksmd's tunables.
        public var tunables: SimulatorTunables
        /// Whose `cmp_and_merge_page()` order was followed.
        public var kernel: KernelVersion
        /// The profile the costs come from: its file (or `built-in`) and whether it was
        /// measured on the real ksmd or estimated.
        public var profile: KsmdProfile.Summary
        /// The cost coefficients used.
        public var costs: KSMCostProfile
        /// Bytes per page.
        public var pageSize: Int
        /// Guests (processes).
        public var guests: Int
        /// Page slots of all guests (the largest snapshot of each).
        public var pages: Int
        /// Distinct contents over all snapshots.
        public var distinctContents: Int
        /// The run's length: full scans, if it was given so.
        public var fullScans: Int?
        /// The run's length: seconds, if it was given so.
        public var seconds: Double?
        /// Seconds between time samples (`--every`).
        public var everySeconds: Double?

        enum CodingKeys: String, CodingKey {
            case tunables, kernel, profile, costs, guests, pages, seconds
            case pageSize = "page_size"
            case distinctContents = "distinct_contents"
            case fullScans = "full_scans"
            case everySeconds = "every_seconds"
        }
    }

    /// One snapshot's period.
    public struct Step: Sendable, Equatable, Codable {
        /// The snapshot's number (0: the first memory).
        public var step: Int
        /// When it took effect: `full_scans` then.
        public var startFullScans: Int
        /// When it took effect: seconds.
        public var startSeconds: Double
        /// Distinct pages it wrote, each counted once however often it was written
        /// (`timeline.json`'s `writes` counts every write).
        public var pagesWritten: Int
        /// The counters at the end of its period.
        public var end: SimulationSample

        enum CodingKeys: String, CodingKey {
            case step, end
            case pagesWritten = "pages_written"
            case startFullScans = "start_full_scans"
            case startSeconds = "start_seconds"
        }
    }

    /// One guest at the end.
    public struct Image: Sendable, Equatable, Codable {
        /// The guest's name.
        public var name: String
        /// Its first image.
        public var path: String
        /// All its snapshots, for a timeline.
        public var snapshots: [String]?
        /// Its page slots.
        public var pages: Int
        /// `ksm_rmap_items`.
        public var ksmRmapItems: Int
        /// `ksm_merging_pages`.
        public var ksmMergingPages: Int
        /// `ksm_zero_pages`.
        public var ksmZeroPages: Int
        /// `ksm_process_profit`.
        public var ksmProcessProfit: Int

        enum CodingKeys: String, CodingKey {
            case name, path, snapshots, pages
            case ksmRmapItems = "ksm_rmap_items"
            case ksmMergingPages = "ksm_merging_pages"
            case ksmZeroPages = "ksm_zero_pages"
            case ksmProcessProfit = "ksm_process_profit"
        }
    }

    enum CodingKeys: String, CodingKey {
        case settings, samples, steps, images, summary
        case timeSamples = "time_samples"
    }
}
