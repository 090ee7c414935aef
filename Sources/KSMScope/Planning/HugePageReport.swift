/// What KSM does to transparent huge pages: ksmd splits a 2 MiB huge page when it merges one
/// of its pages (`try_to_merge_one_page()`), and khugepaged does not collapse a region holding
/// KSM pages again. hugetlbfs-backed guests are never merged at all (`vma_ksm_compatible()`).
///
/// A region is 2 MiB of a guest's memory, 2 MiB aligned by image page index × page size (for a
/// dump, the index of the page among the dump's pages: physical holes are closed up), fully
/// populated with whole pages. It is split when at least one of its pages is merged: mapped to
/// a KSM page or, with `use_zero_pages`, to the zero page; a leftover copy is not merged.
public struct HugePageReport: Sendable, Equatable, Codable {
    /// Bytes in a region: 2 MiB, x86_64's PMD-sized huge page.
    public var regionBytes: Int
    /// Full regions in all guests.
    public var regions: Int
    /// Regions with at least one merged page.
    public var regionsSplit: Int
    /// What KSM would save and split if it merged only in regions where at least a given share
    /// of pages merge; rows by ascending threshold.
    public var tradeoff: [Tradeoff]
    /// Per guest, in input order.
    public var images: [Image]

    /// The region size.
    public static let defaultRegionBytes = 2 << 20
    /// The thresholds of the trade-off table, percent.
    public static let thresholds = [1, 25, 50, 75, 100]

    /// One row of the trade-off table.
    public struct Tradeoff: Sendable, Equatable, Codable {
        /// Merging only in regions where at least this percent of the pages merge.
        public var minMergedPercent: Int
        /// Regions that qualify, so are split.
        public var regionsSplit: Int
        /// What KSM saves when it merges only pages of those regions and pages outside full
        /// regions; copies in the other regions stay in their huge pages, bytes.
        public var savedBytes: Int

        enum CodingKeys: String, CodingKey {
            case minMergedPercent = "min_merged_percent"
            case regionsSplit = "regions_split"
            case savedBytes = "saved_bytes"
        }
    }

    /// One guest's regions.
    public struct Image: Sendable, Equatable, Codable {
        /// The guest.
        public var path: String
        /// Its full regions.
        public var regions: Int
        /// Those with at least one merged page.
        public var regionsSplit: Int

        enum CodingKeys: String, CodingKey {
            case path, regions
            case regionsSplit = "regions_split"
        }
    }

    enum CodingKeys: String, CodingKey {
        case regions, tradeoff, images
        case regionBytes = "region_bytes"
        case regionsSplit = "regions_split"
    }
}

extension HugePageReport {
    /// The regions of a plan's tally, both passes done (``PlanTally/qualifyingRegions()``,
    /// ``PlanTally/addTradeoff(_:qualifying:)``).
    ///
    /// Which copies of a group are merged comes from ``KSMTunables/mergedPages(copies:isZero:)``:
    /// the first ones in scan order (guests in order, pages by index).
    init(tally: PlanTally, paths: [String], pageSize: Int) {
        let setup = tally.setup
        regionBytes = setup.regionBytes
        images = paths.indices.map { guest in
            let regions = setup.regionStart[guest]..<setup.regionStart[guest + 1]
            return Image(
                path: paths[guest], regions: regions.count, regionsSplit: regions.filter { tally.merged[$0] > 0 }.count)
        }
        regions = images.reduce(0) { $0 + $1.regions }
        regionsSplit = images.reduce(0) { $0 + $1.regionsSplit }
        let qualifying = tally.qualifyingRegions()
        tradeoff = Self.thresholds.enumerated().map { bit, percent in
            Tradeoff(
                minMergedPercent: percent, regionsSplit: qualifying.filter { $0 & (1 << bit) != 0 }.count,
                savedBytes: tally.tradeoffSaved[bit] * pageSize)
        }
    }
}
