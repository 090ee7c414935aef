/// Places guests on hosts of one size to maximise what KSM saves on all of them, while every
/// host's guests fit: `cost − factor × saving ≤ usable`, the same test as the one-host plan.
///
/// 1. Small problems (at most ``exhaustiveLimit`` distinct assignments, hosts being
///    interchangeable) are searched exhaustively.
/// 2. Otherwise each guest is sketched (``GuestSketch``) and the pairwise overlaps estimated.
///    Two starts: one guest per host seeded far apart (farthest-first by overlap), the others
///    in decreasing cost to the host they overlap most with that still fits; and first-fit.
/// 3. Local search: moves of one guest, swaps of two and merges of two hosts' guests,
///    candidates ranked by overlap, each judged by its exact change of saving (``HostLoad``),
///    until a sweep improves nothing. The better of the two results is kept.
///
/// Every saving in the result is exact: each host's groups folded through the KSM rules.
/// Placing as many guests as possible comes first, saving second.
struct FleetPlacement {
    /// The guests.
    let profiles: GuestProfiles
    /// Each guest's memory plus overhead, bytes.
    let costs: [Int]
    /// Memory each host offers its guests, bytes.
    let usable: Int
    /// Share of a saving counted on when checking that a host's guests fit.
    let savingFactor: Double
    /// Bytes per page.
    let pageSize: Int
    /// The number of hosts.
    let hostCount: Int

    /// Assignments (up to host symmetry) searched exhaustively at most.
    static let exhaustiveLimit = 200_000
    /// Candidate hosts judged exactly per guest and sweep.
    static let candidates = 4
    /// Swap partners judged exactly per guest and sweep.
    static let swapCandidates = 8
    /// Local search sweeps at most.
    static let maximumSweeps = 20

    /// A placement: each host's guests, and those placed nowhere.
    struct Assignment {
        /// The hosts' loads.
        var hosts: [HostLoad]
        /// Guests on no host.
        var unplaced: [Int]

        /// Pages saved on all hosts.
        var savedPages: Int { hosts.reduce(0) { $0 + $1.savedPages } }
    }

    /// Whether a host holding `cost` bytes of guests that save `saved` pages fits.
    func fits(cost: Int, savedPages saved: Int) -> Bool {
        Double(cost - usable) <= savingFactor * Double(saved * pageSize)
    }

    /// Whether `guest` fits on `host` together with its guests.
    func fits(_ guest: Int, on host: HostLoad) -> Bool {
        fits(cost: host.costBytes + costs[guest], savedPages: host.savedPages + host.gain(adding: guest))
    }

    // MARK: Baselines

    /// Guest i on host i mod N, whether it fits or not; and whether every host fits.
    func roundRobin() -> (assignment: Assignment, fits: Bool) {
        var hosts = Array(repeating: HostLoad(profiles: profiles), count: hostCount)
        for guest in costs.indices { hosts[guest % hostCount].add(guest, cost: costs[guest]) }
        return (Assignment(hosts: hosts, unplaced: []), hosts.allSatisfy { fits(cost: $0.costBytes, savedPages: $0.savedPages) })
    }

    /// Each guest in input order on the first host where it fits.
    func firstFit() -> Assignment {
        var hosts = Array(repeating: HostLoad(profiles: profiles), count: hostCount)
        var unplaced: [Int] = []
        for guest in costs.indices {
            if let host = hosts.indices.first(where: { fits(guest, on: hosts[$0]) }) {
                hosts[host].add(guest, cost: costs[guest])
            } else {
                unplaced.append(guest)
            }
        }
        return Assignment(hosts: hosts, unplaced: unplaced)
    }

    // MARK: The search

    /// The best placement found, and how (`exhaustive` or `sketch + local search`).
    func place(allowExhaustive: Bool = true) -> (assignment: Assignment, method: String) {
        if allowExhaustive, Self.assignments(guests: costs.count, hosts: hostCount) <= Self.exhaustiveLimit {
            return (exhaustive(), "exhaustive search")
        }
        return (heuristic(), "MinHash sketches (k = \(GuestSketch.k)) + greedy + local search")
    }

    /// Set partitions of `guests` into at most `hosts` blocks, each guest placed or not, bounded.
    static func assignments(guests: Int, hosts: Int) -> Int {
        // Restricted growth strings with an extra "unplaced" choice: at most (hosts + 1)^guests.
        var total = 1
        for _ in 0..<guests {
            total = total.multipliedReportingOverflow(by: hosts + 1).partialValue
            if total > exhaustiveLimit || total <= 0 { return Int.max }
        }
        return total
    }

    /// Every assignment, hosts interchangeable: the most guests placed, then the most saved.
    func exhaustive() -> Assignment {
        var hosts = Array(repeating: HostLoad(profiles: profiles), count: hostCount)
        var unplaced: [Int] = []
        var best: (placed: Int, saved: Int, hosts: [[Int]], unplaced: [Int]) = (-1, -1, [], [])
        func visit(_ guest: Int, used: Int) {
            if guest == costs.count {
                let placed = costs.count - unplaced.count
                let saved = hosts.reduce(0) { $0 + $1.savedPages }
                if (placed, saved) > (best.placed, best.saved) {
                    best = (placed, saved, hosts.map { $0.guests.sorted() }, unplaced)
                }
                return
            }
            // Adding a guest never makes a host that does not fit fit again (it costs at least
            // what it can save), so infeasible branches are cut.
            for host in 0..<min(hostCount, used + 1) where fits(guest, on: hosts[host]) {
                hosts[host].add(guest, cost: costs[guest])
                visit(guest + 1, used: max(used, host + 1))
                hosts[host].remove(guest, cost: costs[guest])
            }
            unplaced.append(guest)
            visit(guest + 1, used: used)
            unplaced.removeLast()
        }
        visit(0, used: 0)
        var result = Array(repeating: HostLoad(profiles: profiles), count: hostCount)
        for (host, guests) in best.hosts.enumerated() {
            for guest in guests { result[host].add(guest, cost: costs[guest]) }
        }
        return Assignment(hosts: result, unplaced: best.unplaced)
    }

    /// Sketches, a seeded greedy start and local search.
    func heuristic() -> Assignment {
        let n = costs.count
        let sketches = (0..<n).map { GuestSketch(profiles: profiles, guest: $0) }
        var overlap = Array(repeating: [Double](repeating: 0, count: n), count: n)
        for a in 0..<n {
            for b in a + 1..<n {
                let value = sketches[a].overlap(sketches[b])
                overlap[a][b] = value
                overlap[b][a] = value
            }
        }
        // Two starts, each improved by local search; the better wins (so never below first-fit).
        var seeded = seededStart(overlap: overlap)
        seeded.improve()
        var fitted = SearchState(placement: self, overlap: overlap)
        for (host, load) in firstFit().hosts.enumerated() {
            for guest in load.guests.sorted() { fitted.move(guest, to: host) }
        }
        fitted.improve()
        let best = [seeded, fitted].max { a, b in
            (n - a.unplacedCount, a.savedPages) < (n - b.unplacedCount, b.savedPages)
        }!
        return Assignment(hosts: best.hosts, unplaced: (0..<n).filter { best.hostOf[$0] == nil })
    }

    /// One guest per host, far apart, then the rest by overlap.
    func seededStart(overlap: [[Double]]) -> SearchState {
        let n = costs.count
        var state = SearchState(placement: self, overlap: overlap)
        // Seeds: the guest with the most overlap, then each next the one overlapping least with
        // the seeds so far (farthest-first), largest cost breaking ties.
        var seeds: [Int] = []
        let total = overlap.map { $0.reduce(0, +) }
        if let first = (0..<n).max(by: { (total[$0], costs[$0]) < (total[$1], costs[$1]) }) { seeds.append(first) }
        while seeds.count < min(hostCount, n) {
            let next = (0..<n).filter { !seeds.contains($0) }.min { a, b in
                let x = seeds.map { overlap[a][$0] }.max() ?? 0
                let y = seeds.map { overlap[b][$0] }.max() ?? 0
                return (x, -costs[a]) < (y, -costs[b])
            }!
            seeds.append(next)
        }
        for (host, guest) in seeds.enumerated() where fits(guest, on: state.hosts[host]) {
            state.move(guest, to: host)
        }
        // The rest, largest first, to the fitting host they overlap most with.
        let order = (0..<n).filter { state.hostOf[$0] == nil }.sorted { (costs[$0], -$0) > (costs[$1], -$1) }
        for guest in order { state.placeBest(guest) }
        return state
    }

    /// The hosts during local search, with each guest's overlap with each host.
    struct SearchState {
        let placement: FleetPlacement
        let overlap: [[Double]]
        var hosts: [HostLoad]
        /// Each guest's host, or nil.
        var hostOf: [Int?]
        /// `affinity[g][h]`: the overlap of guest g with the guests of host h (g excluded).
        var affinity: [[Double]]

        init(placement: FleetPlacement, overlap: [[Double]]) {
            self.placement = placement
            self.overlap = overlap
            hosts = Array(repeating: HostLoad(profiles: placement.profiles), count: placement.hostCount)
            hostOf = Array(repeating: nil, count: placement.costs.count)
            affinity = Array(
                repeating: [Double](repeating: 0, count: placement.hostCount), count: placement.costs.count)
        }

        /// Moves `guest` to `host` (nil: off every host).
        mutating func move(_ guest: Int, to host: Int?) {
            let cost = placement.costs[guest]
            if let from = hostOf[guest] {
                hosts[from].remove(guest, cost: cost)
                for other in affinity.indices where other != guest { affinity[other][from] -= overlap[other][guest] }
            }
            if let host {
                hosts[host].add(guest, cost: cost)
                for other in affinity.indices where other != guest { affinity[other][host] += overlap[other][guest] }
            }
            hostOf[guest] = host
        }

        /// Puts an unplaced guest on the fitting host with the best exact gain among those it
        /// overlaps most with and the least loaded one.
        mutating func placeBest(_ guest: Int) {
            var shortlist = hosts.indices.sorted { (affinity[guest][$0], -$0) > (affinity[guest][$1], -$1) }
            shortlist = Array(shortlist.prefix(FleetPlacement.candidates))
            if let emptiest = hosts.indices.min(by: {
                (hosts[$0].costBytes - hosts[$0].savedPages * placement.pageSize, $0)
                    < (hosts[$1].costBytes - hosts[$1].savedPages * placement.pageSize, $1)
            }), !shortlist.contains(emptiest) {
                shortlist.append(emptiest)
            }
            var best: (host: Int, gain: Int)?
            for host in shortlist where placement.fits(guest, on: hosts[host]) {
                let gain = hosts[host].gain(adding: guest)
                if best == nil || gain > best!.gain { best = (host, gain) }
            }
            if best == nil, let host = hosts.indices.first(where: { placement.fits(guest, on: hosts[$0]) }) {
                best = (host, 0)
            }
            if let best { move(guest, to: best.host) }
        }

        /// Pages saved on all hosts.
        var savedPages: Int { hosts.reduce(0) { $0 + $1.savedPages } }

        /// Guests on no host.
        var unplacedCount: Int { hostOf.filter { $0 == nil }.count }

        /// Whether host `host` fits as it is.
        func fits(_ host: Int) -> Bool {
            placement.fits(cost: hosts[host].costBytes, savedPages: hosts[host].savedPages)
        }

        /// Moves and swaps that raise the exact saving, until a sweep finds none.
        mutating func improve() {
            let n = placement.costs.count
            for _ in 0..<FleetPlacement.maximumSweeps {
                let before = (placed: n - unplacedCount, saved: savedPages)
                var improved = false
                for guest in 0..<n where hostOf[guest] == nil {
                    placeBest(guest)
                    if hostOf[guest] != nil { improved = true }
                }
                for guest in 0..<n {
                    guard let from = hostOf[guest] else { continue }
                    if tryMove(guest, from: from) || trySwap(guest, from: from) { improved = true }
                }
                if tryMergeHosts() { improved = true }
                // A sweep that places no guest more and adds less than 0.01 % ends the search.
                let placed = n - unplacedCount
                if !improved || (placed == before.placed && (savedPages - before.saved) * 10_000 < before.saved) { return }
            }
        }

        /// Moves `guest` to the host that raises the saving most, if any does.
        mutating func tryMove(_ guest: Int, from: Int) -> Bool {
            let loss = hosts[from].loss(removing: guest)
            let ranked = hosts.indices.filter { $0 != from }.sorted {
                (affinity[guest][$0], -$0) > (affinity[guest][$1], -$1)
            }
            var best: (host: Int, change: Int)?
            for host in ranked.prefix(FleetPlacement.candidates) where placement.fits(guest, on: hosts[host]) {
                let change = hosts[host].gain(adding: guest) - loss
                if change > 0, best == nil || change > best!.change { best = (host, change) }
            }
            guard let best else { return false }
            move(guest, to: best.host)
            return true
        }

        /// Moves every guest of one host onto another when they fit together: two hosts' guests
        /// always save at least as much together as apart, but no single move or swap gets
        /// there when each family is worth less split. Whether they fit is found exactly
        /// before anything moves (``HostLoad/mergeGain(with:stamp:epoch:)``).
        mutating func tryMergeHosts() -> Bool {
            var merged = false
            var stamp = [Int32](repeating: 0, count: placement.profiles.sharedCount)
            var epoch: Int32 = 0
            for target in hosts.indices {
                for source in hosts.indices where source != target && !hosts[source].guests.isEmpty {
                    let a = hosts[target], b = hosts[source]
                    guard !a.guests.isEmpty else { continue }
                    let together = a.savedPages + b.savedPages + a.mergeGain(with: b, stamp: &stamp, epoch: &epoch)
                    guard placement.fits(cost: a.costBytes + b.costBytes, savedPages: together) else { continue }
                    let moving = b.guests.sorted()
                    for guest in moving { move(guest, to: target) }
                    merged = true
                }
            }
            return merged
        }

        /// Swaps `guest` with the guest of another host that raises the saving most, if any does.
        mutating func trySwap(_ guest: Int, from: Int) -> Bool {
            let n = placement.costs.count
            // Overlap gained: guest with the other host (less the partner), partner with ours.
            var ranked: [(partner: Int, score: Double)] = []
            for partner in 0..<n {
                guard let to = hostOf[partner], to != from else { continue }
                let score =
                    affinity[guest][to] - overlap[guest][partner] - affinity[guest][from]
                    + affinity[partner][from] - overlap[partner][guest] - affinity[partner][to]
                ranked.append((partner, score))
            }
            ranked.sort { ($0.score, -$0.partner) > ($1.score, -$1.partner) }
            // The best exact change among the partners the overlaps favour, found without moving.
            var best: (partner: Int, change: Int)?
            for (partner, _) in ranked.prefix(FleetPlacement.swapCandidates) {
                let to = hostOf[partner]!
                let change = HostLoad.swapChange(hosts[from], hosts[to], guest: guest, partner: partner)
                let total = change.a + change.b
                guard total > 0, best == nil || total > best!.change else { continue }
                let cost = placement.costs[partner] - placement.costs[guest]
                guard placement.fits(cost: hosts[from].costBytes + cost, savedPages: hosts[from].savedPages + change.a),
                    placement.fits(cost: hosts[to].costBytes - cost, savedPages: hosts[to].savedPages + change.b)
                else { continue }
                best = (partner, total)
            }
            guard let best else { return false }
            let to = hostOf[best.partner]!
            move(guest, to: to)
            move(best.partner, to: from)
            return true
        }
    }
}
