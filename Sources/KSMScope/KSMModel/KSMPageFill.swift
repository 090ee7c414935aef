/// How ksmd packs `copies` identical pages into KSM pages once it has converged on them.
///
/// In scan order the first two copies form a KSM page (the unstable-tree hit), the following
/// ones join it until it holds `max_page_sharing` mappings. The next copy finds the KSM page
/// full, so it waits in the unstable tree until another copy matches it and a new KSM page is
/// chained beside the first (a stable node chain with one dup per KSM page). A copy left alone
/// at the end (`copies % max_page_sharing == 1`) never finds a partner and stays unmerged.
///
/// Checked on the real kernel: 8192 copies give 32 KSM pages and 8160 sharing mappings in one
/// chain of 32 dups; 257 copies give one KSM page, 255 sharing and one copy unmerged.
public struct KSMPageFill: Sendable, Equatable {
    /// KSM pages (`pages_shared`): physical pages kept for the content.
    public let ksmPages: Int
    /// Mappings beyond the first of each KSM page (`pages_sharing`): pages saved.
    public let sharing: Int
    /// Copies left out of every KSM page: 1 when `copies % max_page_sharing == 1`, else 0.
    public let leftover: Int

    /// Packs `copies` identical pages under `maxPageSharing`.
    public init(copies: Int, maxPageSharing: Int) {
        let full = copies / maxPageSharing
        let rest = copies % maxPageSharing
        ksmPages = full + (rest >= 2 ? 1 : 0)
        leftover = rest == 1 ? 1 : 0
        sharing = copies - ksmPages - leftover
    }

    /// Whether the content needs a stable node chain (more than one KSM page).
    public var isChained: Bool { ksmPages >= 2 }
}
