/// ksmd's counters at one moment of a simulation, under their sysfs names.
public struct SimulationSample: Sendable, Equatable, Codable {
    /// Simulated seconds since ksmd started.
    public var tSeconds: Double
    /// `full_scans`.
    public var fullScans: Int
    /// `pages_scanned`: pages handed to `cmp_and_merge_page()`, cumulative.
    public var pagesScanned: Int
    /// `pages_shared`: KSM pages.
    public var pagesShared: Int
    /// `pages_sharing`: further mappings of KSM pages, the pages saved.
    public var pagesSharing: Int
    /// `pages_unshared`: rmap items flagged as inserted in the unstable tree.
    public var pagesUnshared: Int
    /// `pages_volatile`: rmap items in no tree.
    public var pagesVolatile: Int
    /// `pages_skipped`: smart scan skips, cumulative.
    public var pagesSkipped: Int
    /// `ksm_zero_pages`: zero pages KSM placed that are still mapped.
    public var ksmZeroPages: Int
    /// `stable_node_chains`.
    public var stableNodeChains: Int
    /// `stable_node_dups`.
    public var stableNodeDups: Int
    /// `general_profit`: `(pages_sharing + ksm_zero_pages) × page size − rmap items × 64`.
    public var generalProfit: Int
    /// ksmd's CPU time so far, seconds.
    public var ksmdCPUSeconds: Double
    /// `pages_to_scan` at this moment (the advisor changes it).
    public var pagesToScan: Int
    /// `cow_ksm` (/proc/vmstat): writes that copied a KSM page, cumulative.
    public var cowKSM: Int

    /// Pages saved: `pages_sharing + ksm_zero_pages`.
    public var savedPages: Int { pagesSharing + ksmZeroPages }

    /// The JSON keys (and CSV columns), in order.
    public static let columns = CodingKeys.allCases.map(\.stringValue)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tSeconds = "t_seconds"
        case fullScans = "full_scans"
        case pagesScanned = "pages_scanned"
        case pagesShared = "pages_shared"
        case pagesSharing = "pages_sharing"
        case pagesUnshared = "pages_unshared"
        case pagesVolatile = "pages_volatile"
        case pagesSkipped = "pages_skipped"
        case ksmZeroPages = "ksm_zero_pages"
        case stableNodeChains = "stable_node_chains"
        case stableNodeDups = "stable_node_dups"
        case generalProfit = "general_profit"
        case ksmdCPUSeconds = "ksmd_cpu_seconds"
        case pagesToScan = "pages_to_scan"
        case cowKSM = "cow_ksm"
    }
}

/// One process's `/proc/PID/ksm_stat` in a simulation (each guest is one process).
public struct ProcessKSMStat: Sendable, Equatable, Codable {
    /// `ksm_rmap_items`.
    public var ksmRmapItems: Int
    /// `ksm_merging_pages`: pages mapped to KSM pages, the first mapping of each included.
    public var ksmMergingPages: Int
    /// `ksm_zero_pages`.
    public var ksmZeroPages: Int
    /// `ksm_process_profit`: `(ksm_merging_pages + ksm_zero_pages) × page size − ksm_rmap_items × 64`.
    public var ksmProcessProfit: Int

    enum CodingKeys: String, CodingKey {
        case ksmRmapItems = "ksm_rmap_items"
        case ksmMergingPages = "ksm_merging_pages"
        case ksmZeroPages = "ksm_zero_pages"
        case ksmProcessProfit = "ksm_process_profit"
    }
}
