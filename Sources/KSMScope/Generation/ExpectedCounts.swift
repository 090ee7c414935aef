/// The counts the generator intends for one image set (the base images, or every guest's
/// snapshot at one timeline step), computed from the plan alone, exactly as `ksmscope scan`
/// must find them: the fields carry ``ScanReport``'s JSON names.
///
/// Because page contents are equal exactly when their ``ContentKey``s are, the counts follow
/// from the pool structure: each pool's indices are held by some guests a known number of
/// times, so contents with the same holders are counted together with ``KSMPageFill`` instead
/// of one by one. Pages changed by churn are handled one by one.
public struct ExpectedCounts: Sendable, Equatable, Codable {
    /// The snapshot (0 for the base images).
    public var step: Int
    /// Seconds since the base snapshot.
    public var timeSeconds: Double
    /// The tunables the KSM counters are for.
    public var tunables: KSMTunables
    /// Pages in all images of the set.
    public var pages: Int
    /// All-zero pages.
    public var zeroPages: Int
    /// Distinct page contents (the all-zero content included).
    public var distinctContents: Int
    /// `pages_shared`.
    public var pagesShared: Int
    /// `pages_sharing`.
    public var pagesSharing: Int
    /// rmap items in no KSM page.
    public var pagesUnmerged: Int
    /// `ksm_zero_pages`.
    public var ksmZeroPages: Int
    /// `stable_node_chains`.
    public var stableNodeChains: Int
    /// `stable_node_dups`.
    public var stableNodeDups: Int
    /// rmap items.
    public var rmapItems: Int
    /// Pages saved if pages merged only inside each image (scan's `policies.intra_image` / page size).
    public var intraImageSavedPages: Int
    /// Pages saved if only all-zero pages merged (scan's `policies.zero_only` / page size).
    public var zeroOnlySavedPages: Int
    /// How many contents have each number of copies, by ascending copies.
    public var copies: [CopiesBucket]
    /// Pages per ``PageCategory`` (raw values as keys).
    public var categories: [String: Int]
    /// Contents held more than once, by source pool, copies and number of images holding them.
    public var sharedContents: [SharedContents]
    /// Per image, in scan order (file names sorted).
    public var images: [Image]

    /// Contents that have `copies` copies.
    public struct CopiesBucket: Sendable, Equatable, Codable {
        public var copies: Int
        public var contents: Int
    }

    /// Contents of one source held `copies` times over `images` images.
    public struct SharedContents: Sendable, Equatable, Codable {
        /// The pool: `os/NAME/PART`, `family/NAME/PART`, `global/PART`, `library/NAME`,
        /// `…@LAYOUT` for ASLR variants, `guest/NAME/PART` for a guest's own, or `zero`.
        public var source: String
        /// Copies of each content.
        public var copies: Int
        /// Images holding each content.
        public var images: Int
        /// How many such contents.
        public var contents: Int
    }

    /// One image's expected share, as scan's per-image fields.
    public struct Image: Sendable, Equatable, Codable {
        public var path: String
        public var guest: String
        public var type: String
        public var pages: Int
        public var zeroPages: Int
        public var uniquePages: Int
        public var selfSharedPages: Int
        public var crossSharedPages: Int
        public var ksmRmapItems: Int
        public var ksmMergingPages: Int
        public var ksmZeroPages: Int
        public var categories: [String: Int]

        enum CodingKeys: String, CodingKey {
            case path, guest, type, pages, categories
            case zeroPages = "zero_pages"
            case uniquePages = "unique_pages"
            case selfSharedPages = "self_shared_pages"
            case crossSharedPages = "cross_shared_pages"
            case ksmRmapItems = "ksm_rmap_items"
            case ksmMergingPages = "ksm_merging_pages"
            case ksmZeroPages = "ksm_zero_pages"
        }
    }

    enum CodingKeys: String, CodingKey {
        case step, tunables, pages, copies, categories, images
        case timeSeconds = "time_seconds"
        case zeroPages = "zero_pages"
        case distinctContents = "distinct_contents"
        case pagesShared = "pages_shared"
        case pagesSharing = "pages_sharing"
        case pagesUnmerged = "pages_unmerged"
        case ksmZeroPages = "ksm_zero_pages"
        case stableNodeChains = "stable_node_chains"
        case stableNodeDups = "stable_node_dups"
        case rmapItems = "rmap_items"
        case intraImageSavedPages = "intra_image_saved_pages"
        case zeroOnlySavedPages = "zero_only_saved_pages"
        case sharedContents = "shared_contents"
    }

    /// `pages_sharing` as a percentage of all pages.
    public var sharingPercent: Double { Double(pagesSharing) * 100 / Double(max(1, pages)) }

    /// Non-zero pages saved (between and within images) as a percentage of the non-zero pages:
    /// the figure Barker et al. report, which zero pages do not inflate.
    public var nonZeroSavedPercent: Double {
        let nonZeroSaved = pagesSharing - (tunables.useZeroPages ? 0 : zeroOnlySavedPages)
        return Double(nonZeroSaved) * 100 / Double(max(1, pages - zeroPages))
    }

    /// The guests of `plan` in the set's scan order: by file name.
    public static func scanOrder(plan: FleetPlan, step: Int?) -> [Int] {
        plan.guests.indices.sorted {
            FleetPlan.fileName(guest: plan.guests[$0].name, step: step)
                < FleetPlan.fileName(guest: plan.guests[$1].name, step: step)
        }
    }

    /// The counts for snapshot `step` of `timeline` (0: the base images), with image files
    /// named for a timeline when `timeline.steps > 0`.
    public init(plan: FleetPlan, timeline: ChurnTimeline, step: Int, tunables: KSMTunables = .defaults) {
        self.init(
            plan: plan, timeline: timeline, step: step,
            overrides: plan.guests.indices.map { timeline.overrides(guest: $0, step: step) }, tunables: tunables)
    }

    /// The counts for snapshot `step`, given each guest's pages that differ from its base
    /// image then (``ChurnTimeline/overrides(guest:step:)``, in fleet order).
    init(
        plan: FleetPlan, timeline: ChurnTimeline, step: Int, overrides: [[Int: PageContent]], tunables: KSMTunables
    ) {
        let fileStep: Int? = timeline.steps > 0 ? step : nil
        let order = Self.scanOrder(plan: plan, step: fileStep)
        var tally = Tally(tunables: tunables, imageCount: order.count)
        var holdings: [Int: [(image: Int, lower: Int, upper: Int, repeats: Int)]] = [:]
        var zeroCounts = Array(repeating: 0, count: order.count)
        var freshCounts = Array(repeating: 0, count: order.count)
        var removed: [ContentKey: [Int: Int]] = [:]
        var imageCategories = Array(repeating: [PageCategory: Int](), count: order.count)

        for (position, guestIndex) in order.enumerated() {
            let guest = plan.guests[guestIndex]
            imageCategories[position] = guest.categoryPages
            for segment in guest.segments {
                if segment.pool == 0 {
                    zeroCounts[position] += segment.pages
                } else {
                    holdings[segment.pool, default: []].append(
                        (position, segment.lower, segment.lower + segment.indices, segment.repeats))
                }
            }
            for (page, content) in overrides[guestIndex] {
                let base = guest.content(physical: page)
                imageCategories[position][guest.category(physical: page), default: 0] -= 1
                if let key = base.key {
                    removed[key, default: [:]][position, default: 0] += 1
                } else {
                    zeroCounts[position] -= 1
                }
                if content.isZero {
                    zeroCounts[position] += 1
                    imageCategories[position][.zero, default: 0] += 1
                } else {
                    freshCounts[position] += 1
                    imageCategories[position][.written, default: 0] += 1
                }
            }
        }

        var removedByPool: [Int: [Int]] = [:]
        for key in removed.keys { removedByPool[key.pool, default: []].append(key.index) }
        for pool in removedByPool.keys { removedByPool[pool]!.sort() }

        for pool in holdings.keys.sorted() {
            let holders = holdings[pool]!
            let source = plan.sourceName(ofPool: pool)
            let bounds = Set(holders.flatMap { [$0.lower, $0.upper] }).sorted()
            let special = removedByPool[pool] ?? []
            for (lower, upper) in zip(bounds, bounds.dropFirst()) {
                var counts: [Int: Int] = [:]
                for holder in holders where holder.lower <= lower && holder.upper >= upper {
                    counts[holder.image, default: 0] += holder.repeats
                }
                guard !counts.isEmpty else { continue }
                let shares = counts.sorted { $0.key < $1.key }.map { (image: $0.key, count: $0.value) }
                let first = Self.lowerBound(special, lower)
                let inside = Self.lowerBound(special, upper) - first
                tally.add(shares, isZero: false, times: upper - lower - inside, source: source)
                for index in special[first..<(first + inside)] {
                    let minus = removed[ContentKey(pool: pool, index: index)] ?? [:]
                    let left = shares.map { (image: $0.image, count: $0.count - (minus[$0.image] ?? 0)) }.filter {
                        $0.count > 0
                    }
                    tally.add(left, isZero: false, times: 1, source: source)
                }
            }
        }
        let zeroShares = zeroCounts.enumerated().filter { $0.element > 0 }.map { (image: $0.offset, count: $0.element) }
        tally.add(zeroShares, isZero: true, times: 1, source: "zero")
        for (position, count) in freshCounts.enumerated() {
            tally.add([(position, 1)], isZero: false, times: count, source: "written")
        }

        self.step = step
        timeSeconds = Double(step) * timeline.interval
        self.tunables = tunables
        pages = order.reduce(0) { $0 + plan.guests[$1].pageCount }
        zeroPages = tally.counts.zeroPages
        distinctContents = tally.counts.distinctContents
        pagesShared = tally.counts.pagesShared
        pagesSharing = tally.counts.pagesSharing
        pagesUnmerged = tally.counts.pagesUnmerged
        ksmZeroPages = tally.counts.ksmZeroPages
        stableNodeChains = tally.counts.stableNodeChains
        stableNodeDups = tally.counts.stableNodeDups
        rmapItems = tally.counts.rmapItems
        intraImageSavedPages = tally.counts.intraImageSavedPages
        zeroOnlySavedPages = tally.counts.zeroOnlySavedPages
        copies = tally.copies.keys.sorted().map { CopiesBucket(copies: $0, contents: tally.copies[$0]!) }
        sharedContents = tally.shared.map { key, contents in
            SharedContents(source: key.source, copies: key.copies, images: key.images, contents: contents)
        }.sorted { ($0.source, $0.copies, $0.images) < ($1.source, $1.copies, $1.images) }
        var totals: [String: Int] = [:]
        images = order.enumerated().map { position, guestIndex in
            let guest = plan.guests[guestIndex]
            let counts = tally.counts.images[position]
            var categories: [String: Int] = [:]
            for (category, count) in imageCategories[position] where count != 0 {
                categories[category.rawValue] = count
                totals[category.rawValue, default: 0] += count
            }
            return Image(
                path: FleetPlan.fileName(guest: guest.name, step: fileStep), guest: guest.name, type: guest.typeName,
                pages: guest.pageCount, zeroPages: counts.zeroPages, uniquePages: counts.uniquePages,
                selfSharedPages: counts.selfSharedPages, crossSharedPages: counts.crossSharedPages,
                ksmRmapItems: counts.ksmRmapItems, ksmMergingPages: counts.ksmMergingPages,
                ksmZeroPages: counts.ksmZeroPages, categories: categories)
        }
        categories = totals
    }

    /// The first position in ascending `values` whose value is at least `value`.
    private static func lowerBound(_ values: [Int], _ value: Int) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// ``SteadyStateTally`` (the KSM rules), plus what the generator reports beyond a scan: how
    /// many contents have each number of copies, and the shared ones by source pool.
    struct Tally {
        struct SharedKey: Hashable {
            var source: String
            var copies: Int
            var images: Int
        }

        var counts: SteadyStateTally
        var copies: [Int: Int] = [:]
        var shared: [SharedKey: Int] = [:]

        init(tunables: KSMTunables, imageCount: Int) {
            counts = SteadyStateTally(tunables: tunables, imageCount: imageCount)
        }

        /// Adds `times` contents, each held `shares` times per image (images ascending).
        mutating func add(_ shares: [(image: Int, count: Int)], isZero: Bool, times: Int, source: String) {
            let total = shares.reduce(0) { $0 + $1.count }
            guard times > 0, total > 0 else { return }
            copies[total, default: 0] += times
            if total > 1 { shared[SharedKey(source: source, copies: total, images: shares.count), default: 0] += times }
            counts.add(shares.map { ContentGroup.ImageShare(image: $0.image, count: $0.count) }, isZero: isZero, times: times)
        }
    }
}
