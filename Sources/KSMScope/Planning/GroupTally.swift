/// Adds guests to a host one at a time and says what each adds to the saving: the running
/// size of every merge group, folded through ``KSMTunables/savedPages(copies:isZero:)``.
///
/// One pass over each guest's pages; a guest's marginal saving is the change of its groups'
/// savings, which depends only on the groups' sizes (the saving of a content does not depend
/// on the order its copies are met in, only which copy is left over does).
struct GroupTally {
    /// The groups guests' pages belong to.
    let groups: MergeGroups
    /// The rules.
    let tunables: KSMTunables
    /// Pages of each group added so far.
    private var count: [Int32]
    /// The guest that last touched each group (its position in the order added).
    private var stamp: [Int32]
    /// Each group's size before the current guest.
    private var before: [Int32]
    /// Groups the current guest touched.
    private var touched: [UInt32] = []
    /// Guests added so far.
    private(set) var guestsAdded = 0

    /// What a guest adds, in pages.
    struct Marginal: Sendable, Equatable {
        /// Pages saved.
        var saved = 0
        /// The part of ``saved`` that is all-zero pages.
        var zeroSaved = 0
    }

    /// Starts an empty host.
    init(groups: MergeGroups, tunables: KSMTunables) {
        self.groups = groups
        self.tunables = tunables
        count = Array(repeating: 0, count: groups.groupCount)
        stamp = Array(repeating: -1, count: groups.groupCount)
        before = Array(repeating: 0, count: groups.groupCount)
    }

    /// Adds guest `guest` (an index into ``MergeGroups/guestImages``) and returns what it adds.
    mutating func add(guest: Int) -> Marginal {
        let mark = Int32(guestsAdded)
        guestsAdded += 1
        touched.removeAll(keepingCapacity: true)
        groups.groupOfPage.withUnsafeBufferPointer { groupOfPage in
            for page in groups.pages(ofGuest: guest) {
                let group = groupOfPage[page]
                if group == MergeGroups.never { continue }
                let index = Int(group)
                if stamp[index] != mark {
                    stamp[index] = mark
                    before[index] = count[index]
                    touched.append(group)
                }
                count[index] += 1
            }
        }
        var marginal = Marginal()
        for group in touched {
            let index = Int(group)
            let zero = groups.isZero[index]
            let gained =
                tunables.savedPages(copies: Int(count[index]), isZero: zero)
                - tunables.savedPages(copies: Int(before[index]), isZero: zero)
            marginal.saved += gained
            if zero { marginal.zeroSaved += gained }
        }
        return marginal
    }

    /// The marginal saving of each of `guests` added in that order to an empty host.
    static func marginals(_ groups: MergeGroups, tunables: KSMTunables, guests: [Int]) -> [Marginal] {
        var tally = GroupTally(groups: groups, tunables: tunables)
        return guests.map { tally.add(guest: $0) }
    }

    /// Pages saved by `guests` together on one host.
    static func savedPages(_ groups: MergeGroups, tunables: KSMTunables, guests: [Int]) -> Marginal {
        marginals(groups, tunables: tunables, guests: guests).reduce(into: Marginal()) { total, next in
            total.saved += next.saved
            total.zeroSaved += next.zeroSaved
        }
    }
}
