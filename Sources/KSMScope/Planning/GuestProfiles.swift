/// Each guest reduced to what matters for where it runs: its pages in every merge group it
/// shares with another guest (sparse, by group), and the fixed saving of the groups only it
/// holds, which it keeps on any host.
///
/// A host's saving is then `Σ fixed + Σ over shared groups of savedPages(Σ of its guests'
/// copies)`: exactly what a scan of the host's guests gives. From a 1/N sample the groups that
/// are not all zero stand for N groups each (``weight``), so host savings are estimates.
struct GuestProfiles: Sendable {
    /// Whether each shared group's content is all zero bytes.
    let sharedIsZero: [Bool]
    /// Per guest: the shared groups it holds, ascending.
    let groups: [[UInt32]]
    /// Per guest: its copies in each of ``groups``.
    let counts: [[Int32]]
    /// Per guest: pages saved in groups no other guest holds (weighted).
    let fixedSaved: [Int]
    /// The rules.
    let tunables: KSMTunables
    /// How many groups a group that is not all zero stands for: N of a 1/N sample, else 1.
    let weight: Int

    /// The number of shared groups.
    var sharedCount: Int { sharedIsZero.count }
    /// The number of guests.
    var guestCount: Int { groups.count }

    /// Profiles the guests of a plan's tally (a 1/`every` sample), its shared groups numbered
    /// in the order of their first copies, so any split of the contents numbers them alike.
    init(tally: PlanTally, every: Int) {
        tunables = tally.setup.tunables
        weight = every
        let order = tally.shared.indices.sorted { tally.shared[$0].firstPage < tally.shared[$1].firstPage }
        var groups = Array(repeating: [UInt32](), count: tally.setup.guestCount)
        var counts = Array(repeating: [Int32](), count: tally.setup.guestCount)
        for (number, index) in order.enumerated() {
            for (guest, copies) in tally.holders[tally.shared[index].holders] {
                groups[Int(guest)].append(UInt32(number))
                counts[Int(guest)].append(copies)
            }
        }
        sharedIsZero = order.map { tally.shared[$0].isZero }
        self.groups = groups
        self.counts = counts
        fixedSaved = zip(tally.fixedZero, tally.fixedOther).map { $0 + every * $1 }
    }

    /// Pages saved by `copies` copies of shared group `group` together on one host (weighted).
    @inline(__always)
    func savedPages(copies: Int, group: Int) -> Int {
        let zero = sharedIsZero[group]
        return tunables.savedPages(copies: copies, isZero: zero) * (zero ? 1 : weight)
    }
}
