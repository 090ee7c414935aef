/// The ksmd tunables of `/sys/kernel/mm/ksm/` the simulator runs with, under the kernel's names,
/// defaults and limits, plus the kernel's timer frequency (`CONFIG_HZ`): ``KSMTunables``' two
/// merge knobs and those that decide how fast and at what cost ksmd gets there.
///
/// Values the kernel refuses are refused here with the same limits: a `max_page_sharing` below
/// 2, an `advisor_target_scan_time` below 1, a `pages_to_scan` written while the advisor is on
/// (EINVAL), numbers that do not fit the kernel's unsigned int. Values the kernel accepts but
/// with which ksmd could never finish a full scan (`pages_to_scan` 0) are refused too, since a
/// simulation of them would never end.
public struct SimulatorTunables: Sendable, Equatable, Codable {
    /// `pages_to_scan`: pages ksmd processes per batch (100). With the advisor on it starts at
    /// `advisor_min_pages_to_scan` and is then set by the advisor after every full scan.
    public private(set) var pagesToScan: Int
    /// `sleep_millisecs`: sleep between batches (20), rounded up to jiffies.
    public var sleepMillisecs: Int
    /// `max_page_sharing`: most mappings per KSM page (256, at least 2).
    public private(set) var maxPageSharing: Int
    /// `use_zero_pages`: merge all-zero pages with the kernel's zero page (off).
    public private(set) var useZeroPages: Bool
    /// `smart_scan`: skip pages that repeatedly failed to merge (on).
    public var smartScan: Bool
    /// `merge_across_nodes`: one stable and one unstable tree (on). Off: every guest is its own
    /// NUMA node with its own trees, and pages merge only within it.
    public var mergeAcrossNodes: Bool
    /// `advisor_mode`: none or scan-time.
    public private(set) var advisorMode: AdvisorMode
    /// `advisor_target_scan_time`: seconds a full scan should take (200, at least 1).
    public var advisorTargetScanTime: Int
    /// `advisor_max_cpu`: percent of a CPU the advisor lets ksmd use at most (70).
    public var advisorMaxCPU: Int
    /// `advisor_min_pages_to_scan`: `pages_to_scan` when the advisor is switched on (500).
    public var advisorMinPagesToScan: Int
    /// `advisor_max_pages_to_scan`: the most `pages_to_scan` the advisor sets (30000).
    public var advisorMaxPagesToScan: Int
    /// `stable_node_chains_prune_millisecs`: how often a chain's dups are all examined (2000).
    public var stableNodeChainsPruneMillisecs: Int
    /// `CONFIG_HZ`: timer ticks per second, which `sleep_millisecs` is rounded up to (250).
    public var hz: Int

    /// The advisor modes of `advisor_mode`.
    public enum AdvisorMode: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
        /// `pages_to_scan` is what the user sets.
        case none
        /// `pages_to_scan` is set after every full scan to reach `advisor_target_scan_time`.
        case scanTime = "scan-time"

        public var description: String { rawValue }
    }

    /// The kernel's largest `unsigned int`.
    static let unsignedIntMaximum = Int(UInt32.max)
    /// The timer frequencies the kernel can be configured with.
    public static let kernelHZChoices = [100, 250, 300, 1000]

    /// Creates tunables; every argument defaults to the kernel's default.
    ///
    /// - Parameter pagesToScan: nil for the default: 100, or `advisorMinPagesToScan` with the
    ///   scan-time advisor. Giving it with the advisor on is an error, as in the kernel.
    /// - Throws: ``KSMTunablesError`` for a value outside the kernel's limits.
    public init(
        pagesToScan: Int? = nil, sleepMillisecs: Int = 20, maxPageSharing: Int = 256, useZeroPages: Bool = false,
        smartScan: Bool = true, mergeAcrossNodes: Bool = true, advisorMode: AdvisorMode = .none,
        advisorTargetScanTime: Int = 200, advisorMaxCPU: Int = 70, advisorMinPagesToScan: Int = 500,
        advisorMaxPagesToScan: Int = 30000, stableNodeChainsPruneMillisecs: Int = 2000, hz: Int = 250
    ) throws(KSMTunablesError) {
        func unsigned(_ knob: String, _ value: Int, minimum: Int = 0) throws(KSMTunablesError) {
            guard value >= minimum else { throw .belowMinimum(knob: knob, value: value, minimum: minimum) }
            guard value <= Self.unsignedIntMaximum else {
                throw .aboveMaximum(knob: knob, value: value, maximum: Self.unsignedIntMaximum)
            }
        }
        if let pagesToScan {
            guard advisorMode == .none else { throw .pagesToScanWithAdvisor }
            try unsigned("pages_to_scan", pagesToScan)
            guard pagesToScan > 0 else { throw .neverScans(knob: "pages_to_scan") }
        }
        try unsigned("sleep_millisecs", sleepMillisecs)
        let merging = try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        try unsigned("advisor_target_scan_time", advisorTargetScanTime, minimum: 1)
        try unsigned("advisor_max_cpu", advisorMaxCPU)
        try unsigned("advisor_min_pages_to_scan", advisorMinPagesToScan)
        try unsigned("advisor_max_pages_to_scan", advisorMaxPagesToScan)
        try unsigned("stable_node_chains_prune_millisecs", stableNodeChainsPruneMillisecs)
        if advisorMode == .scanTime {
            guard advisorMinPagesToScan > 0 else { throw .neverScans(knob: "advisor_min_pages_to_scan") }
            guard advisorMaxPagesToScan > 0 else { throw .neverScans(knob: "advisor_max_pages_to_scan") }
        }
        guard Self.kernelHZChoices.contains(hz) else { throw .unsupportedHZ(hz) }
        self.pagesToScan = pagesToScan ?? (advisorMode == .scanTime ? advisorMinPagesToScan : 100)
        self.sleepMillisecs = sleepMillisecs
        self.maxPageSharing = merging.maxPageSharing
        self.useZeroPages = merging.useZeroPages
        self.smartScan = smartScan
        self.mergeAcrossNodes = mergeAcrossNodes
        self.advisorMode = advisorMode
        self.advisorTargetScanTime = advisorTargetScanTime
        self.advisorMaxCPU = advisorMaxCPU
        self.advisorMinPagesToScan = advisorMinPagesToScan
        self.advisorMaxPagesToScan = advisorMaxPagesToScan
        self.stableNodeChainsPruneMillisecs = stableNodeChainsPruneMillisecs
        self.hz = hz
    }

    /// The kernel's defaults.
    public static let defaults = try! SimulatorTunables()

    /// `max_page_sharing` and `use_zero_pages`: what the converged counters depend on.
    public var merging: KSMTunables {
        // Both were checked by the initializer and cannot be changed since.
        try! KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
    }

    /// `msecs_to_jiffies(sleep_millisecs)`: the sleep in timer ticks, rounded up.
    public var sleepJiffies: Int { Self.jiffies(milliseconds: sleepMillisecs, hz: hz) }

    /// `msecs_to_jiffies(stable_node_chains_prune_millisecs)`.
    var chainPruneJiffies: Int { Self.jiffies(milliseconds: stableNodeChainsPruneMillisecs, hz: hz) }

    /// `msecs_to_jiffies()`: milliseconds in ticks of `hz`, rounded up.
    static func jiffies(milliseconds: Int, hz: Int) -> Int { (milliseconds * hz + 999) / 1000 }

    enum CodingKeys: String, CodingKey {
        case hz
        case pagesToScan = "pages_to_scan"
        case sleepMillisecs = "sleep_millisecs"
        case maxPageSharing = "max_page_sharing"
        case useZeroPages = "use_zero_pages"
        case smartScan = "smart_scan"
        case mergeAcrossNodes = "merge_across_nodes"
        case advisorMode = "advisor_mode"
        case advisorTargetScanTime = "advisor_target_scan_time"
        case advisorMaxCPU = "advisor_max_cpu"
        case advisorMinPagesToScan = "advisor_min_pages_to_scan"
        case advisorMaxPagesToScan = "advisor_max_pages_to_scan"
        case stableNodeChainsPruneMillisecs = "stable_node_chains_prune_millisecs"
    }
}
