import Dispatch
import Synchronization

/// Folds the guests' contents, one content at a time with its copies in scan order, into every
/// steady-state figure of a plan: the sharing curve under each policy, what each guest saves
/// alone and each pair together, the guests' profiles for placement, and the merged pages of
/// every huge-page region.
///
/// A content's saving depends only on its own copies (``KSMTunables/savedPages(copies:isZero:)``
/// per merge group), so contents can be folded in any order, split among workers or among the
/// fingerprint engine's hash-range partitions, and tallies merged by adding: the in-memory plan
/// (``fold(contents:guestImages:setup:workers:)``) and the bounded one (``PlanPartitions``) run
/// the same fold. The huge-page trade-off needs a second pass (``addTradeoff(_:isZero:qualifying:)``),
/// once every content's merged pages say which regions qualify.
///
/// Savings are kept in two parts: the all-zero content's, always counted in full, and the other
/// contents', which under `--sample 1/N` are a 1/N sample to scale by N (``SampledSaving``),
/// with the sum of squares the interval needs.
struct PlanTally: Sendable {
    /// What the plan folds contents for.
    struct Setup: Sendable {
        /// The rules.
        let tunables: KSMTunables
        /// The plan's policy: alone, pairs, profiles and regions follow its merge groups.
        let policy: MergePolicy
        /// The policies whose sharing curves are kept (every one; domain only with domains).
        let policies: [MergePolicy]
        /// Pages of each guest's memory.
        let guestPages: [Int]
        /// Each guest's first page in the guests' single numbering, and the total at the end.
        let guestStart: [Int]
        /// Each guest's domain index, with the domain policy's rules.
        let domainOfGuest: [Int]?
        /// Bytes in a huge-page region.
        let regionBytes: Int
        /// Pages in a huge-page region (0: regions are not counted, or pages are as large).
        let regionPages: Int
        /// Each guest's first region in ``PlanTally/merged``, and the total at the end.
        let regionStart: [Int]
        /// Whether pairs of guests are tallied (the heat map).
        let pairs: Bool
        /// Whether the guests' profiles are kept (placement).
        let profiles: Bool
        /// Whether merged pages are counted per region (huge pages: every page must be seen).
        let regions: Bool

        /// A setup for guests of `guestPages` pages.
        init(
            tunables: KSMTunables, policy: MergePolicy, guestPages: [Int], domainOfGuest: [Int]?, pageSize: Int,
            regionBytes: Int = HugePageReport.defaultRegionBytes, pairs: Bool, profiles: Bool, regions: Bool
        ) {
            self.tunables = tunables
            self.policy = policy
            policies = MergePolicy.allCases.filter { $0 != .domain || domainOfGuest != nil }
            self.guestPages = guestPages
            guestStart = ImageLayout(pageCounts: guestPages).starts
            self.domainOfGuest = domainOfGuest
            self.regionBytes = regionBytes
            let perRegion = regions ? regionBytes / pageSize : 0
            regionPages = perRegion
            regionStart = ImageLayout(pageCounts: guestPages.map { perRegion > 0 ? $0 / perRegion : 0 }).starts
            self.pairs = pairs
            self.profiles = profiles
            self.regions = regions
        }

        /// The number of guests.
        var guestCount: Int { guestPages.count }

        /// Full regions of guest `guest`.
        func regionCount(_ guest: Int) -> Int { regionStart[guest + 1] - regionStart[guest] }

        /// Which merge group of a content the copies of `guest` join under `policy`.
        @inline(__always)
        func key(_ policy: MergePolicy, guest: Int) -> Int {
            switch policy {
            case .all, .zeroOnly: 0
            case .intraImage: guest
            case .domain: domainOfGuest?[guest] ?? guest
            }
        }
    }

    /// A copy of a content: its guest and its page in the guest's memory.
    struct Copy: Sendable, Equatable {
        /// The guest (input index).
        var guest: UInt32
        /// The page, from 0 in the guest's memory (``unknownPage`` in a sampled fingerprint file).
        var page: UInt32

        /// The page of a copy whose place is not known.
        static let unknownPage = UInt32.max
    }

    /// Marginal savings of each guest under one policy, in pages.
    struct Curve: Sendable, Equatable {
        /// Guest k's marginal saving on the all-zero content.
        var zero: [Int]
        /// Guest k's marginal saving on the other contents.
        var other: [Int]
        /// What guest k adds to the sum over the other contents of the square of each one's
        /// saving: the variance term of a sampled estimate.
        var squares: [Double]
    }

    /// A merge group of the plan's policy held by two guests or more.
    struct SharedGroup: Sendable {
        /// Its first copy in the guests' single numbering: the order profiles number groups in,
        /// the same however contents were split.
        var firstPage: Int
        /// Whether its content is all zero.
        var isZero: Bool
        /// Its holders in ``PlanTally/holders``.
        var holders: Range<Int>
    }

    let setup: Setup
    /// Per policy of ``Setup/policies``.
    private(set) var curves: [Curve]
    /// What each guest saves alone on the all-zero content, and on the others (pages).
    private(set) var aloneZero: [Int]
    private(set) var aloneOther: [Int]
    /// What guests a < b save together beyond alone, at `a × n + b`: zero content, others.
    private(set) var pairZero: [Int]
    private(set) var pairOther: [Int]
    /// Groups held by two guests or more, and their holders' copies.
    private(set) var shared: [SharedGroup] = []
    private(set) var holders: [(guest: Int32, copies: Int32)] = []
    /// What each guest saves in groups only it holds: zero content, others.
    private(set) var fixedZero: [Int]
    private(set) var fixedOther: [Int]
    /// Merged pages of every full region, guest after guest.
    private(set) var merged: [Int32]
    /// The trade-off's saving per threshold of ``HugePageReport/thresholds`` (second pass).
    private(set) var tradeoffSaved: [Int]

    // Scratch for one content.
    private var shares: [Share] = []
    private var order: [Int] = []
    private var groups: [(range: Range<Int>, leftOut: Bool)] = []
    private var keyCopies: [Int]
    private var touched: [Int] = []
    /// Per threshold, the eligible copies of the group being counted.
    private var eligible: [Int]

    /// A guest's copies of the content being folded.
    struct Share {
        var guest: Int
        var copies: Int
        /// Its first and last page.
        var firstPage: Int
        var lastPage: Int
        /// Its first copy in the content's copy list (non-zero contents).
        var start: Int
    }

    /// An empty tally.
    init(setup: Setup) {
        self.setup = setup
        let n = setup.guestCount
        let empty = Curve(zero: Array(repeating: 0, count: n), other: Array(repeating: 0, count: n), squares: Array(repeating: 0, count: n))
        curves = Array(repeating: empty, count: setup.policies.count)
        aloneZero = Array(repeating: 0, count: n)
        aloneOther = aloneZero
        pairZero = setup.pairs ? Array(repeating: 0, count: n * n) : []
        pairOther = pairZero
        fixedZero = aloneZero
        fixedOther = aloneZero
        merged = Array(repeating: 0, count: setup.regions ? setup.regionStart[n] : 0)
        tradeoffSaved = Array(repeating: 0, count: HugePageReport.thresholds.count)
        keyCopies = Array(repeating: 0, count: max(n, (setup.domainOfGuest?.max() ?? 0) + 1))
        eligible = Array(repeating: 0, count: HugePageReport.thresholds.count)
    }

    /// The curve of `policy`.
    func curve(_ policy: MergePolicy) -> Curve? {
        setup.policies.firstIndex(of: policy).map { curves[$0] }
    }

    // MARK: Pass one

    /// Folds a content that is not all zero, its copies in scan order (guests ascending, pages
    /// ascending in each).
    mutating func add(_ copies: UnsafeBufferPointer<Copy>) {
        gatherShares(copies)
        foldShares(isZero: false)
        guard setup.regionPages > 0, setup.policy != .zeroOnly else { return }
        makeGroups(isZero: false)
        let order = self.order
        for (range, leftOut) in groups {
            let group = order[range]
            let last = group.last!
            for index in group {
                let share = shares[index]
                let regions = setup.regionCount(share.guest)
                // The copy left out, if any, is the group's last in scan order.
                let end = share.start + share.copies - (leftOut && index == last ? 1 : 0)
                for copy in copies[share.start..<end] {
                    let region = Int(copy.page) / setup.regionPages
                    if region < regions { merged[setup.regionStart[share.guest] + region] += 1 }
                }
            }
        }
    }

    /// Folds the all-zero content, given as each guest's zero pages.
    mutating func addZero(_ zero: GuestZeroPages) {
        gatherShares(zero)
        foldShares(isZero: true)
        guard setup.regionPages > 0 else { return }
        makeGroups(isZero: true)
        let order = self.order
        for (range, leftOut) in groups {
            let group = order[range]
            for index in group {
                let guest = shares[index].guest
                for region in setup.regionStart[guest]..<setup.regionStart[guest + 1] { merged[region] += zero.regions[region] }
            }
            let last = shares[group.last!]
            let region = last.lastPage / setup.regionPages
            if leftOut, region < setup.regionCount(last.guest) { merged[setup.regionStart[last.guest] + region] -= 1 }
        }
    }

    /// ``shares`` from a content's copies in scan order.
    private mutating func gatherShares(_ copies: UnsafeBufferPointer<Copy>) {
        shares.removeAll(keepingCapacity: true)
        for (index, copy) in copies.enumerated() {
            let guest = Int(copy.guest)
            if let last = shares.last, last.guest == guest {
                shares[shares.count - 1].copies += 1
                shares[shares.count - 1].lastPage = Int(copy.page)
            } else {
                shares.append(Share(guest: guest, copies: 1, firstPage: Int(copy.page), lastPage: Int(copy.page), start: index))
            }
        }
    }

    /// ``shares`` of the all-zero content.
    private mutating func gatherShares(_ zero: GuestZeroPages) {
        shares.removeAll(keepingCapacity: true)
        for guest in 0..<setup.guestCount where zero.count[guest] > 0 {
            shares.append(
                Share(guest: guest, copies: zero.count[guest], firstPage: zero.first[guest], lastPage: zero.last[guest], start: 0))
        }
    }

    /// The curves, alone and pair savings and profiles of the content in ``shares``.
    private mutating func foldShares(isZero: Bool) {
        let tunables = setup.tunables
        for (index, policy) in setup.policies.enumerated() where policy != .zeroOnly || isZero {
            // The content's saving so far, as guests join in order.
            var saved = 0
            for share in shares {
                let key = setup.key(policy, guest: share.guest)
                if keyCopies[key] == 0 { touched.append(key) }
                let before = keyCopies[key]
                keyCopies[key] += share.copies
                let gain =
                    tunables.savedPages(copies: keyCopies[key], isZero: isZero)
                    - tunables.savedPages(copies: before, isZero: isZero)
                if isZero {
                    curves[index].zero[share.guest] += gain
                } else {
                    curves[index].other[share.guest] += gain
                    curves[index].squares[share.guest] +=
                        Double(saved + gain) * Double(saved + gain) - Double(saved) * Double(saved)
                }
                saved += gain
            }
            for key in touched { keyCopies[key] = 0 }
            touched.removeAll(keepingCapacity: true)
        }
        guard setup.policy != .zeroOnly || isZero else { return }
        for share in shares {
            let alone = tunables.savedPages(copies: share.copies, isZero: isZero)
            if isZero { aloneZero[share.guest] += alone } else { aloneOther[share.guest] += alone }
        }
        guard setup.pairs || setup.profiles else { return }
        let n = setup.guestCount
        makeGroups(isZero: isZero)
        let order = self.order
        for (range, _) in groups {
            let group = order[range]
            if setup.pairs {
                for (position, i) in group.enumerated() {
                    let a = shares[i]
                    let alone = tunables.savedPages(copies: a.copies, isZero: isZero)
                    for j in group.dropFirst(position + 1) {
                        let b = shares[j]
                        let gain =
                            tunables.savedPages(copies: a.copies + b.copies, isZero: isZero) - alone
                            - tunables.savedPages(copies: b.copies, isZero: isZero)
                        if isZero { pairZero[a.guest * n + b.guest] += gain } else { pairOther[a.guest * n + b.guest] += gain }
                    }
                }
            }
            guard setup.profiles else { continue }
            if group.count >= 2 {
                let first = shares[group.first!]
                let start = holders.count
                for index in group { holders.append((Int32(shares[index].guest), Int32(clamping: shares[index].copies))) }
                shared.append(
                    SharedGroup(
                        firstPage: setup.guestStart[first.guest] + first.firstPage, isZero: isZero,
                        holders: start..<holders.count))
            } else {
                let share = shares[group.first!]
                let alone = tunables.savedPages(copies: share.copies, isZero: isZero)
                if isZero { fixedZero[share.guest] += alone } else { fixedOther[share.guest] += alone }
            }
        }
    }

    /// Sorts ``shares`` into the merge groups of the plan's policy: ``order`` lists share
    /// indices group after group (guests ascending in each), ``groups`` each group's range of
    /// ``order`` and whether it leaves its last copy unmerged.
    private mutating func makeGroups(isZero: Bool) {
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: shares.indices)
        groups.removeAll(keepingCapacity: true)
        let policy = setup.policy
        if policy == .domain {
            // Guests ascend; domains interleave, so each domain's guests are gathered.
            order.sort { (setup.key(policy, guest: shares[$0].guest), $0) < (setup.key(policy, guest: shares[$1].guest), $1) }
        }
        var start = 0
        while start < order.count {
            let key = setup.key(policy, guest: shares[order[start]].guest)
            var end = start + 1
            var copies = shares[order[start]].copies
            while end < order.count, setup.key(policy, guest: shares[order[end]].guest) == key {
                copies += shares[order[end]].copies
                end += 1
            }
            groups.append((start..<end, setup.tunables.mergedPages(copies: copies, isZero: isZero) < copies))
            start = end
        }
    }

    // MARK: Pass two: the huge-page trade-off

    /// Bit `t` of each full region: whether it qualifies at threshold `t` of
    /// ``HugePageReport/thresholds`` (at least one page merged, and at least that percent).
    func qualifyingRegions() -> [UInt8] {
        merged.map { count in
            var bits: UInt8 = 0
            for (bit, percent) in HugePageReport.thresholds.enumerated()
            where count > 0 && Int(count) * 100 >= percent * setup.regionPages {
                bits |= 1 << bit
            }
            return bits
        }
    }

    /// Folds a content that is not all zero into the trade-off: each merge group's copies in
    /// qualifying regions or outside full regions, saved as if only they merged.
    mutating func addTradeoff(_ copies: UnsafeBufferPointer<Copy>, qualifying: [UInt8]) {
        guard setup.policy != .zeroOnly else { return }
        gatherShares(copies)
        makeGroups(isZero: false)
        let order = self.order
        for (range, _) in groups {
            let group = order[range]
            for index in group {
                let share = shares[index]
                let regions = setup.regionCount(share.guest)
                for copy in copies[share.start..<(share.start + share.copies)] {
                    let region = setup.regionPages > 0 ? Int(copy.page) / setup.regionPages : 0
                    let bits = region < regions ? qualifying[setup.regionStart[share.guest] + region] : UInt8.max
                    for threshold in eligible.indices where bits & (1 << threshold) != 0 { eligible[threshold] += 1 }
                }
            }
            tradeoffGroup(isZero: false)
        }
    }

    /// Folds the all-zero content into the trade-off.
    mutating func addTradeoffZero(_ zero: GuestZeroPages, qualifying: [UInt8]) {
        gatherShares(zero)
        makeGroups(isZero: true)
        let order = self.order
        for (range, _) in groups {
            let group = order[range]
            for index in group {
                let guest = shares[index].guest
                var outside = zero.count[guest]
                for region in setup.regionStart[guest]..<setup.regionStart[guest + 1] {
                    let count = Int(zero.regions[region])
                    outside -= count
                    for threshold in eligible.indices where qualifying[region] & (1 << threshold) != 0 {
                        eligible[threshold] += count
                    }
                }
                for threshold in eligible.indices { eligible[threshold] += outside }
            }
            tradeoffGroup(isZero: true)
        }
    }

    /// Saves the counted group's eligible copies at every threshold and clears the count.
    private mutating func tradeoffGroup(isZero: Bool) {
        for threshold in eligible.indices {
            tradeoffSaved[threshold] += setup.tunables.savedPages(copies: eligible[threshold], isZero: isZero)
            eligible[threshold] = 0
        }
    }

    // MARK: Merging

    /// Adds what a tally of other contents counted.
    mutating func merge(_ other: PlanTally) {
        for index in curves.indices {
            for guest in 0..<setup.guestCount {
                curves[index].zero[guest] += other.curves[index].zero[guest]
                curves[index].other[guest] += other.curves[index].other[guest]
                curves[index].squares[guest] += other.curves[index].squares[guest]
            }
        }
        for guest in 0..<setup.guestCount {
            aloneZero[guest] += other.aloneZero[guest]
            aloneOther[guest] += other.aloneOther[guest]
            fixedZero[guest] += other.fixedZero[guest]
            fixedOther[guest] += other.fixedOther[guest]
        }
        for index in pairZero.indices {
            pairZero[index] += other.pairZero[index]
            pairOther[index] += other.pairOther[index]
        }
        let offset = holders.count
        holders += other.holders
        shared += other.shared.map {
            SharedGroup(
                firstPage: $0.firstPage, isZero: $0.isZero,
                holders: ($0.holders.lowerBound + offset)..<($0.holders.upperBound + offset))
        }
        for region in merged.indices { merged[region] += other.merged[region] }
        for index in tradeoffSaved.indices { tradeoffSaved[index] += other.tradeoffSaved[index] }
    }
}

extension PlanTally {
    /// Folds `units` independent pieces of the contents (ranges of contents, hash-range
    /// partitions) on `workers` workers, each into its own tally, and merges the tallies.
    ///
    /// - Parameter body: folds unit `unit` into the worker's tally.
    static func folding(
        units: Int, workers: Int, setup: Setup, _ body: @Sendable (inout PlanTally, Int) throws -> Void
    ) throws -> PlanTally {
        let next = Atomic<Int>(0)
        let tallies = Mutex<[PlanTally]>([])
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, units))) { _ in
            var tally = PlanTally(setup: setup)
            while failure.withLock({ $0 == nil }) {
                let unit = next.add(1, ordering: .relaxed).oldValue
                guard unit < units else { break }
                do {
                    try body(&tally, unit)
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
            }
            tallies.withLock { $0.append(tally) }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var total = PlanTally(setup: setup)
        for tally in tallies.withLock({ $0 }) { total.merge(tally) }
        return total
    }
}
