/// Folds content groups into the counters ksmd reaches once it has converged on static memory,
/// as if each image were one process registered in input order, plus the savings under
/// restricted merge policies.
///
/// The rules are mm/ksm.c's: identical pages fill KSM pages of `max_page_sharing` mappings
/// (``KSMPageFill``), a single leftover copy is the last one in scan order, and with
/// `use_zero_pages` all-zero pages go to the kernel's zero page (`ksm_zero_pages`) and lose their
/// rmap items.
public struct SteadyStateTally: ContentGroupAccumulator, Codable, Equatable {
    /// The tunables the counters are for.
    public let tunables: KSMTunables
    /// Each image's merge domain, if the domain policy is asked for.
    public let domains: MergeDomains?

    /// `pages_shared`: KSM pages.
    public private(set) var pagesShared = 0
    /// `pages_sharing`: mappings of KSM pages beyond the first, i.e. pages saved.
    public private(set) var pagesSharing = 0
    /// rmap items (scanned pages) that are in no KSM page: unique pages and leftovers.
    public private(set) var pagesUnmerged = 0
    /// `ksm_zero_pages`: pages mapped to the kernel's zero page.
    public private(set) var ksmZeroPages = 0
    /// `stable_node_chains`: contents that need more than one KSM page.
    public private(set) var stableNodeChains = 0
    /// `stable_node_dups`: KSM pages inside chains.
    public private(set) var stableNodeDups = 0
    /// rmap items: every scanned page except those mapped to the zero page.
    public private(set) var rmapItems = 0
    /// All-zero pages, whatever the tunables.
    public private(set) var zeroPages = 0
    /// Distinct page contents (the all-zero content included).
    public private(set) var distinctContents = 0
    /// Per image tallies, in input order.
    public private(set) var images: [ImageTally]
    /// Pages saved if pages merged only within each image.
    public private(set) var intraImageSavedPages = 0
    /// Pages saved if only all-zero pages merged.
    public private(set) var zeroOnlySavedPages = 0
    /// Pages saved if pages merged only within each domain, when domains are given.
    public private(set) var domainSavedPages = 0
    /// The sum, over contents that are not all zero, of the square of the pages each saves:
    /// the variance term of a sampled estimate (``SampledSaving``).
    public private(set) var savedPagesSquared = 0

    /// Scratch for the per-domain counts of one group.
    private var domainCounts: [Int]

    /// Creates an empty tally for `imageCount` images.
    public init(tunables: KSMTunables, imageCount: Int, domains: MergeDomains? = nil) {
        self.tunables = tunables
        self.domains = domains
        images = Array(repeating: ImageTally(), count: imageCount)
        domainCounts = Array(repeating: 0, count: domains?.distinctNames.count ?? 0)
    }

    /// What one image contributes.
    public struct ImageTally: Sendable, Equatable, Codable {
        /// All-zero pages.
        public var zeroPages = 0
        /// Pages whose content occurs nowhere else.
        public var uniquePages = 0
        /// Pages whose content occurs again in this image and in no other.
        public var selfSharedPages = 0
        /// Pages whose content occurs in at least one other image.
        public var crossSharedPages = 0
        /// `ksm_rmap_items` of /proc/PID/ksm_stat.
        public var ksmRmapItems = 0
        /// `ksm_merging_pages`: pages mapped to a KSM page (both the shared and sharing roles).
        public var ksmMergingPages = 0
        /// `ksm_zero_pages`.
        public var ksmZeroPages = 0
    }

    public mutating func add(_ group: ContentGroup) {
        add(group.perImage, isZero: group.isZero)
    }

    /// Folds in `times` contents that are each held as `shares` say: how many copies each image
    /// holds, images ascending, as ``ContentGroup/perImage``. This is the one place the
    /// steady-state rules are applied; the generator's expected counts use it for many
    /// contents of the same holders at once.
    public mutating func add(_ shares: [ContentGroup.ImageShare], isZero: Bool, times: Int = 1) {
        let copies = shares.reduce(0) { $0 + $1.count }
        guard times > 0, copies > 0 else { return }
        distinctContents += times
        if isZero {
            zeroPages += copies * times
            zeroOnlySavedPages += tunables.savedPages(copies: copies, isZero: true) * times
        }
        for share in shares {
            if isZero { images[share.image].zeroPages += share.count * times }
            if copies == 1 {
                images[share.image].uniquePages += times
            } else if shares.count == 1 {
                images[share.image].selfSharedPages += share.count * times
            } else {
                images[share.image].crossSharedPages += share.count * times
            }
            intraImageSavedPages += tunables.savedPages(copies: share.count, isZero: isZero) * times
        }
        if let domains {
            for share in shares { domainCounts[domains.indices[share.image]] += share.count }
            for index in domainCounts.indices where domainCounts[index] > 0 {
                domainSavedPages += tunables.savedPages(copies: domainCounts[index], isZero: isZero) * times
                domainCounts[index] = 0
            }
        }

        if isZero && tunables.useZeroPages {
            ksmZeroPages += copies * times
            for share in shares { images[share.image].ksmZeroPages += share.count * times }
            return
        }
        let fill = KSMPageFill(copies: copies, maxPageSharing: tunables.maxPageSharing)
        if !isZero { savedPagesSquared += fill.sharing * fill.sharing * times }
        rmapItems += copies * times
        pagesShared += fill.ksmPages * times
        pagesSharing += fill.sharing * times
        pagesUnmerged += fill.leftover * times
        if fill.isChained {
            stableNodeChains += times
            stableNodeDups += fill.ksmPages * times
        }
        for (position, share) in shares.enumerated() {
            images[share.image].ksmRmapItems += share.count * times
            guard fill.ksmPages > 0 else { continue }
            // The leftover copy is the last in scan order: in the last image holding the content.
            let isLast = position == shares.count - 1
            images[share.image].ksmMergingPages += (share.count - (isLast ? fill.leftover : 0)) * times
        }
    }

    public mutating func merge(_ other: SteadyStateTally) {
        pagesShared += other.pagesShared
        pagesSharing += other.pagesSharing
        pagesUnmerged += other.pagesUnmerged
        ksmZeroPages += other.ksmZeroPages
        stableNodeChains += other.stableNodeChains
        stableNodeDups += other.stableNodeDups
        rmapItems += other.rmapItems
        zeroPages += other.zeroPages
        distinctContents += other.distinctContents
        intraImageSavedPages += other.intraImageSavedPages
        zeroOnlySavedPages += other.zeroOnlySavedPages
        domainSavedPages += other.domainSavedPages
        savedPagesSquared += other.savedPagesSquared
        for index in images.indices {
            let theirs = other.images[index]
            images[index].zeroPages += theirs.zeroPages
            images[index].uniquePages += theirs.uniquePages
            images[index].selfSharedPages += theirs.selfSharedPages
            images[index].crossSharedPages += theirs.crossSharedPages
            images[index].ksmRmapItems += theirs.ksmRmapItems
            images[index].ksmMergingPages += theirs.ksmMergingPages
            images[index].ksmZeroPages += theirs.ksmZeroPages
        }
    }
}
