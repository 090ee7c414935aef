/// What a generated page stands for in the guest, for the per-category counts of
/// `expected.json`.
public enum PageCategory: String, Sendable, CaseIterable, Codable, Comparable {
    /// Kernel code (ASLR variants included).
    case kernelText = "kernel_text"
    /// Kernel data, common and private.
    case kernelData = "kernel_data"
    /// Page cache of the OS's common files and of the guest's own.
    case pageCache = "page_cache"
    /// Shared libraries and application binaries (ASLR variants included).
    case libraries
    /// Anonymous memory (heaps, stacks) unique to the guest.
    case anonymous
    /// Anonymous memory duplicated inside the guest (self-sharing).
    case anonymousDuplicated = "anonymous_duplicated"
    /// Free pages never zeroed, holding stale data.
    case stale
    /// Stale free pages that repeat another stale page of the guest.
    case staleDuplicated = "stale_duplicated"
    /// All-zero pages (zeroed free memory and pages zeroed by churn).
    case zero
    /// Fresh data written by churn (timeline snapshots only).
    case written

    /// Whether churn may write pages of this category (code is read-only).
    public var isWritable: Bool { self != .kernelText && self != .libraries }

    public static func < (lhs: PageCategory, rhs: PageCategory) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
