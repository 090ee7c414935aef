/// ksmd's global counters (`/sys/kernel/mm/ksm/`) that the simulator keeps as it goes.
struct ScanCounters: Sendable, Equatable {
    /// `ksm_pages_shared`.
    var pagesShared = 0
    /// `ksm_pages_sharing`.
    var pagesSharing = 0
    /// `ksm_pages_unshared`.
    var pagesUnshared = 0
    /// `ksm_rmap_items`.
    var rmapItems = 0
    /// `ksm_pages_scanned`.
    var pagesScanned = 0
    /// `ksm_pages_skipped`.
    var pagesSkipped = 0
    /// `ksm_zero_pages`.
    var ksmZeroPages = 0
    /// `cow_ksm` of /proc/vmstat: write faults that copied a KSM page.
    var cowKSM = 0
    /// Write faults on zero pages KSM had placed.
    var zeroPageBreaks = 0
}

/// One process's (guest's) counters: `mm->ksm_rmap_items`, `mm->ksm_merging_pages`,
/// `mm->ksm_zero_pages`.
struct ProcessCounters: Sendable, Equatable {
    /// `ksm_rmap_items`.
    var rmapItems = 0
    /// `ksm_merging_pages`.
    var mergingPages = 0
    /// `ksm_zero_pages`.
    var zeroPages = 0
}
