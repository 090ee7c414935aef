/// Where the guests' all-zero pages are, as much as a plan needs: how many each guest holds,
/// its first and last, and how many fall in each full huge-page region.
///
/// The all-zero content is usually the largest by far, and a pass finds its pages as runs
/// without hashing them, so it is summed here instead of listed page by page: a counter per
/// region (one per 2 MiB), whatever the number of zero pages.
struct GuestZeroPages: Sendable {
    /// Zero pages per guest.
    private(set) var count: [Int]
    /// Each guest's first zero page (`Int.max` if none) and last (-1 if none).
    private(set) var first: [Int]
    private(set) var last: [Int]
    /// Zero pages in each full region, guest after guest (``PlanTally/Setup/regionStart``).
    private(set) var regions: [Int32]
    /// Pages in a region (0: none counted).
    private let regionPages: Int
    /// Each guest's first region, and the total at the end.
    private let regionStart: [Int]

    /// No zero pages yet, for the guests and regions of `setup`.
    init(setup: PlanTally.Setup) {
        let n = setup.guestCount
        count = Array(repeating: 0, count: n)
        first = Array(repeating: Int.max, count: n)
        last = Array(repeating: -1, count: n)
        regionPages = setup.regionPages
        regionStart = setup.regionStart
        regions = Array(repeating: 0, count: regionPages > 0 ? setup.regionStart[n] : 0)
    }

    /// Adds the zero pages `pages` of guest `guest`.
    mutating func add(_ pages: Range<Int>, guest: Int) {
        guard !pages.isEmpty else { return }
        count[guest] += pages.count
        first[guest] = min(first[guest], pages.lowerBound)
        last[guest] = max(last[guest], pages.upperBound - 1)
        guard regionPages > 0 else { return }
        let full = regionStart[guest + 1] - regionStart[guest]
        var page = pages.lowerBound
        while page < pages.upperBound {
            let region = page / regionPages
            guard region < full else { break }
            let end = min(pages.upperBound, (region + 1) * regionPages)
            regions[regionStart[guest] + region] += Int32(end - page)
            page = end
        }
    }

    /// Adds another pass's zero pages of the same guests.
    mutating func merge(_ other: GuestZeroPages) {
        for guest in count.indices {
            count[guest] += other.count[guest]
            first[guest] = min(first[guest], other.first[guest])
            last[guest] = max(last[guest], other.last[guest])
        }
        for region in regions.indices { regions[region] += other.regions[region] }
    }
}
