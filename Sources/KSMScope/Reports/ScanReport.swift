/// What `ksmscope scan` reports: the counters ksmd reaches on these images once converged, per
/// image `/proc/PID/ksm_stat` fields, and savings under restricted merge policies.
///
/// JSON keys are the contract other tools rely on; they use the kernel's names.
public struct ScanReport: Sendable, Equatable, Codable {
    /// `page_size`: bytes per page.
    public var pageSize: Int
    /// `hash`: the fingerprint that groups pages before they are compared byte for byte
    /// (`xxh64`, seed 0).
    public var hash: String
    /// `equality`: what makes two pages one content: `bytes` (compared byte for byte) or
    /// `fingerprint-128` (equal ``PageFingerprint``s; see the README for the collision bound).
    public var equality: ScanEquality
    /// `sample`: with `--sample 1/N`, the estimate for all pages; every other count is of the
    /// sample (zero pages in full).
    public var sample: SampledSaving?
    /// `tunables`: the `max_page_sharing` and `use_zero_pages` predicted for.
    public var tunables: KSMTunables
    /// Pages scanned (whole pages of all images).
    public var pages: Int
    /// All-zero pages.
    public var zeroPages: Int
    /// Distinct page contents.
    public var distinctContents: Int
    /// `pages_shared`: KSM pages, the physical pages kept for merged contents.
    public var pagesShared: Int
    /// `pages_sharing`: mappings of KSM pages beyond the first of each, i.e. pages saved.
    public var pagesSharing: Int
    /// rmap items in no KSM page (unique pages and leftovers); the kernel splits them over
    /// `pages_unshared` and `pages_volatile` depending on when it is read.
    public var pagesUnmerged: Int
    /// `ksm_zero_pages`: all-zero pages mapped to the kernel's zero page (`use_zero_pages` only).
    public var ksmZeroPages: Int
    /// `stable_node_chains`: contents that need more than one KSM page (`max_page_sharing`).
    public var stableNodeChains: Int
    /// `stable_node_dups`: KSM pages inside those chains.
    public var stableNodeDups: Int
    /// `ksm_rmap_items` of all images.
    public var rmapItems: Int
    /// `(pages_sharing + ksm_zero_pages) x page size - rmap items x 64`, as the kernel computes it.
    public var generalProfit: Int
    /// `(pages_sharing + ksm_zero_pages) x page size`.
    public var savedBytes: Int
    /// Bytes after the last whole page of each image, summed.
    public var ignoredBytes: Int
    /// Pages left out because they could not be read (`--keep-going`), summed.
    public var unreadablePages: Int
    /// Per image (one process each), in input order.
    public var images: [Image]
    /// Saved bytes under restricted merge policies.
    public var policies: Policies

    /// One image's share.
    public struct Image: Sendable, Equatable, Codable {
        /// The image's path (`pid:PID` or `qemu:PID:NAME` for a live process).
        public var path: String
        /// Its whole pages.
        public var pages: Int
        /// Its all-zero pages.
        public var zeroPages: Int
        /// Its pages whose content occurs nowhere else.
        public var uniquePages: Int
        /// Its pages whose content occurs again in this image and in no other.
        public var selfSharedPages: Int
        /// Its pages whose content occurs in at least one other image.
        public var crossSharedPages: Int
        /// Bytes after its last whole page (of each segment, for a dump).
        public var ignoredBytes: Int
        /// Its pages left out as unreadable (`--keep-going`).
        public var unreadablePages: Int
        /// Its merge domain, with `--domains`.
        public var domain: String?
        /// `ksm_rmap_items` of `/proc/PID/ksm_stat`: its pages ksmd keeps an rmap item for.
        public var ksmRmapItems: Int
        /// `ksm_merging_pages`: its pages mapped to KSM pages (the shared and the sharing ones).
        public var ksmMergingPages: Int
        /// `ksm_zero_pages`: its pages mapped to the kernel's zero page.
        public var ksmZeroPages: Int
        /// `ksm_process_profit`: `(ksm_merging_pages + ksm_zero_pages) x page size -
        /// ksm_rmap_items x 64`.
        public var ksmProcessProfit: Int
        /// For a live process (`--pid`, `--qemu`): where its pages were read from and what KSM
        /// already does for it; absent for image files.
        public var live: LiveProcessReport?

        enum CodingKeys: String, CodingKey {
            case path, pages, domain, live
            case zeroPages = "zero_pages"
            case uniquePages = "unique_pages"
            case selfSharedPages = "self_shared_pages"
            case crossSharedPages = "cross_shared_pages"
            case ignoredBytes = "ignored_bytes"
            case unreadablePages = "unreadable_pages"
            case ksmRmapItems = "ksm_rmap_items"
            case ksmMergingPages = "ksm_merging_pages"
            case ksmZeroPages = "ksm_zero_pages"
            case ksmProcessProfit = "ksm_process_profit"
        }
    }

    /// Saved bytes if merging were restricted.
    public struct Policies: Sendable, Equatable, Codable {
        /// KSM as is: pages merge across all images.
        public var all: Int
        /// Only within each image (per-VM salting against page-fusion side channels).
        public var intraImage: Int
        /// Only all-zero pages (as Windows does).
        public var zeroOnly: Int
        /// Only within each domain, when a domains file was given.
        public var domain: Int?

        enum CodingKeys: String, CodingKey {
            case all, domain
            case intraImage = "intra_image"
            case zeroOnly = "zero_only"
        }
    }

    enum CodingKeys: String, CodingKey {
        case pageSize = "page_size"
        case hash, equality, sample, tunables, pages, images, policies
        case zeroPages = "zero_pages"
        case distinctContents = "distinct_contents"
        case pagesShared = "pages_shared"
        case pagesSharing = "pages_sharing"
        case pagesUnmerged = "pages_unmerged"
        case ksmZeroPages = "ksm_zero_pages"
        case stableNodeChains = "stable_node_chains"
        case stableNodeDups = "stable_node_dups"
        case rmapItems = "rmap_items"
        case generalProfit = "general_profit"
        case savedBytes = "saved_bytes"
        case ignoredBytes = "ignored_bytes"
        case unreadablePages = "unreadable_pages"
    }
}

/// What makes two pages one content in a report.
public enum ScanEquality: String, Sendable, Equatable, Codable {
    /// Compared byte for byte, as the kernel's `memcmp_pages()`.
    case bytes
    /// Equal 128-bit ``PageFingerprint``s (XXH64 and XXH3-64).
    case fingerprint128 = "fingerprint-128"

    /// The line text reports print.
    public var explanation: String {
        switch self {
        case .bytes: "byte for byte (memcmp, as ksmd)"
        case .fingerprint128:
            "128-bit fingerprints (XXH64 + XXH3-64): a false merge among n distinct pages has probability below n^2/2^129"
        }
    }
}

/// What a report needs of an image besides its tally.
public struct ImageSummary: Sendable, Equatable, Codable {
    /// The path (or name) the image was given by.
    public var path: String
    /// Whole pages, unreadable ones included.
    public var pageCount: Int
    /// Bytes after the last whole page.
    public var ignoredBytes: Int
    /// For a live process: what was read and KSM's state then.
    public var live: LiveProcessReport?

    /// Summarizes an opened image.
    public init(_ source: any PageSource) {
        path = source.path
        pageCount = source.pageCount
        ignoredBytes = source.ignoredBytes
        live = (source as? LiveProcessImage)?.report
    }

    enum CodingKeys: String, CodingKey {
        case path, live
        case pageCount = "pages"
        case ignoredBytes = "ignored_bytes"
    }
}

extension ScanReport {
    /// Builds the report from a converged tally of `images`, of which `unreadable` pages per
    /// image were left out.
    public init(
        tally: SteadyStateTally, images sources: [any PageSource], unreadable: [Int], pageSize: PageSize, hash: String,
        equality: ScanEquality = .bytes, sample: SampleRate = .all
    ) {
        self.init(
            tally: tally, summaries: sources.map(ImageSummary.init), unreadable: unreadable, pageSize: pageSize,
            hash: hash, equality: equality, sample: sample)
    }

    /// Builds the report from a converged tally of images described by `summaries`.
    public init(
        tally: SteadyStateTally, summaries sources: [ImageSummary], unreadable: [Int], pageSize: PageSize,
        hash: String, equality: ScanEquality, sample: SampleRate
    ) {
        let page = pageSize.bytes
        let rmap = KSMTunables.rmapItemBytes
        self.pageSize = page
        self.hash = hash
        self.equality = equality
        self.sample = sample.isSampling ? SampledSaving(tally: tally, every: sample.every, pageSize: page) : nil
        tunables = tally.tunables
        pages = sources.reduce(0) { $0 + $1.pageCount } - unreadable.reduce(0, +)
        unreadablePages = unreadable.reduce(0, +)
        zeroPages = tally.zeroPages
        distinctContents = tally.distinctContents
        pagesShared = tally.pagesShared
        pagesSharing = tally.pagesSharing
        pagesUnmerged = tally.pagesUnmerged
        ksmZeroPages = tally.ksmZeroPages
        stableNodeChains = tally.stableNodeChains
        stableNodeDups = tally.stableNodeDups
        rmapItems = tally.rmapItems
        savedBytes = (tally.pagesSharing + tally.ksmZeroPages) * page
        generalProfit = savedBytes - tally.rmapItems * rmap
        ignoredBytes = sources.reduce(0) { $0 + $1.ignoredBytes }
        images = zip(sources, tally.images).enumerated().map { index, pair in
            let (source, image) = pair
            return Image(
                path: source.path, pages: source.pageCount - unreadable[index], zeroPages: image.zeroPages,
                uniquePages: image.uniquePages, selfSharedPages: image.selfSharedPages,
                crossSharedPages: image.crossSharedPages, ignoredBytes: source.ignoredBytes,
                unreadablePages: unreadable[index],
                domain: tally.domains?.names[index], ksmRmapItems: image.ksmRmapItems,
                ksmMergingPages: image.ksmMergingPages, ksmZeroPages: image.ksmZeroPages,
                ksmProcessProfit: (image.ksmMergingPages + image.ksmZeroPages) * page - image.ksmRmapItems * rmap,
                live: source.live)
        }
        policies = Policies(
            all: savedBytes, intraImage: tally.intraImageSavedPages * page,
            zeroOnly: tally.zeroOnlySavedPages * page,
            domain: tally.domains == nil ? nil : tally.domainSavedPages * page)
    }
}
