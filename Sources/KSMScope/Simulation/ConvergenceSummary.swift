/// The figures a simulation ends with: how fast ksmd reaches the saving it converges to, what
/// it costs in CPU, and what copy-on-write does to the saving while guests write.
public struct ConvergenceSummary: Sendable, Equatable, Codable {
    /// `full_scans` at the end.
    public var fullScans: Int
    /// Simulated seconds at the end.
    public var seconds: Double
    /// ksmd's CPU time, seconds.
    public var ksmdCPUSeconds: Double
    /// ksmd's CPU time as a share of the simulated time (1 = one whole CPU).
    public var ksmdCPUShare: Double
    /// Pages ksmd saves once converged on the guests' first memory (`pages_sharing +
    /// ksm_zero_pages` of `ksmscope scan`, per NUMA node without `merge_across_nodes`).
    public var convergedSavedPages: Int
    /// The same in bytes.
    public var convergedSavedBytes: Int
    /// When the saving first reached 50, 90, 99 and 100 % of ``convergedSavedPages``.
    public var milestones: [Milestone]
    /// Pages saved at the end (`pages_sharing + ksm_zero_pages`).
    public var finalSavedPages: Int
    /// `general_profit` at the end.
    public var finalGeneralProfit: Int
    /// What ksmd would save converged on the guests' last memory from scratch; after
    /// copy-on-write the real figure depends on history and can differ.
    public var finalMemoryConvergedSavedPages: Int
    /// Copy-on-write under churn, for timelines.
    public var churn: Churn?

    /// The first moment the saving reached a share of the converged saving.
    public struct Milestone: Sendable, Equatable, Codable {
        /// The share, in percent.
        public var percent: Int
        /// `full_scans` then, or nil if never reached.
        public var fullScans: Int?
        /// Simulated seconds then, or nil if never reached.
        public var tSeconds: Double?
        /// ksmd's CPU seconds used by then, or nil if never reached.
        public var ksmdCPUSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case percent
            case fullScans = "full_scans"
            case tSeconds = "t_seconds"
            case ksmdCPUSeconds = "ksmd_cpu_seconds"
        }
    }

    /// What happened from the first guest write to the end.
    public struct Churn: Sendable, Equatable, Codable {
        /// When the first snapshot after the first took effect, seconds.
        public var startSeconds: Double
        /// Seconds from then to the end.
        public var seconds: Double
        /// Distinct pages the guests wrote, each counted once per snapshot however often it
        /// was written (`timeline.json`'s `writes` counts every write).
        public var pagesWritten: Int
        /// Writes that broke a merge: copies of KSM pages plus writes to KSM's zero pages.
        public var cowBreaks: Int
        /// ``cowBreaks`` per simulated second.
        public var cowBreaksPerSecond: Double
        /// Pages saved on average over time (`pages_sharing + ksm_zero_pages`).
        public var averageSavedPages: Double
        /// The same in bytes.
        public var averageSavedBytes: Double
        /// ksmd's CPU seconds from the first write to the end.
        public var ksmdCPUSeconds: Double

        enum CodingKeys: String, CodingKey {
            case seconds
            case ksmdCPUSeconds = "ksmd_cpu_seconds"
            case pagesWritten = "pages_written"
            case startSeconds = "start_seconds"
            case cowBreaks = "cow_breaks"
            case cowBreaksPerSecond = "cow_breaks_per_second"
            case averageSavedPages = "average_saved_pages"
            case averageSavedBytes = "average_saved_bytes"
        }
    }

    /// The shares milestones are reported for, in percent.
    public static let milestonePercents = [50, 90, 99, 100]

    /// Pages ksmd saves once converged on static memory made of `images` of `contents`, one
    /// process each: ``KSMTunables/savedPages(copies:isZero:)`` per content; without
    /// `merge_across_nodes` each image merges only with itself.
    public static func convergedSavedPages(contents: ContentMap, images: [Int], tunables: SimulatorTunables) -> Int {
        let merging = tunables.merging
        var copies = [Int32](repeating: 0, count: contents.contentCount)
        var touched: [UInt32] = []
        var saved = 0
        func drain() {
            for content in touched {
                let count = Int(copies[Int(content)])
                copies[Int(content)] = 0
                saved += merging.savedPages(copies: count, isZero: contents.isZero[Int(content)])
            }
            touched.removeAll(keepingCapacity: true)
        }
        for image in images {
            for page in contents.layout.pages(of: image) {
                let content = contents.contentOfPage[page]
                if copies[Int(content)] == 0 { touched.append(content) }
                copies[Int(content)] += 1
            }
            if !tunables.mergeAcrossNodes { drain() }
        }
        drain()
        return saved
    }

    enum CodingKeys: String, CodingKey {
        case milestones, churn, seconds
        case fullScans = "full_scans"
        case ksmdCPUSeconds = "ksmd_cpu_seconds"
        case ksmdCPUShare = "ksmd_cpu_share"
        case convergedSavedPages = "converged_saved_pages"
        case convergedSavedBytes = "converged_saved_bytes"
        case finalSavedPages = "final_saved_pages"
        case finalGeneralProfit = "final_general_profit"
        case finalMemoryConvergedSavedPages = "final_memory_converged_saved_pages"
    }
}
