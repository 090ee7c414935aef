/// Each guest reduced to what matters for where it runs: its pages in every merge group it
/// shares with another guest (sparse, by group), and the fixed saving of the groups only it
/// holds, which it keeps on any host.
///
/// A host's saving is then `Σ fixed + Σ over shared groups of savedPages(Σ of its guests'
/// copies)`: exactly what a scan of the host's guests gives.
struct GuestProfiles: Sendable {
    /// Whether each shared group's content is all zero bytes.
    let sharedIsZero: [Bool]
    /// Per guest: the shared groups it holds, ascending.
    let groups: [[UInt32]]
    /// Per guest: its copies in each of ``groups``.
    let counts: [[Int32]]
    /// Per guest: pages saved in groups no other guest holds.
    let fixedSaved: [Int]
    /// The rules.
    let tunables: KSMTunables

    /// The number of shared groups.
    var sharedCount: Int { sharedIsZero.count }
    /// The number of guests.
    var guestCount: Int { groups.count }

    /// Profiles the guests of `groups`.
    init(groups merge: MergeGroups, tunables: KSMTunables) {
        self.tunables = tunables
        let groupCount = merge.groupCount
        // Pass 1: how many guests hold each group.
        var holders = [Int32](repeating: 0, count: groupCount)
        var stamp = [Int32](repeating: -1, count: groupCount)
        merge.groupOfPage.withUnsafeBufferPointer { groupOfPage in
            for guest in 0..<merge.guestCount {
                for page in merge.pages(ofGuest: guest) {
                    let group = groupOfPage[page]
                    guard group != MergeGroups.never, stamp[Int(group)] != Int32(guest) else { continue }
                    stamp[Int(group)] = Int32(guest)
                    holders[Int(group)] += 1
                }
            }
        }
        var sharedIndex = [UInt32](repeating: UInt32.max, count: groupCount)
        var sharedIsZero: [Bool] = []
        for group in 0..<groupCount where holders[group] >= 2 {
            sharedIndex[group] = UInt32(sharedIsZero.count)
            sharedIsZero.append(merge.isZero[group])
        }
        // Pass 2: each guest's copies per group.
        var local = [Int32](repeating: 0, count: groupCount)
        var touched: [UInt32] = []
        var profileGroups: [[UInt32]] = []
        var profileCounts: [[Int32]] = []
        var fixed: [Int] = []
        merge.groupOfPage.withUnsafeBufferPointer { groupOfPage in
            for guest in 0..<merge.guestCount {
                touched.removeAll(keepingCapacity: true)
                for page in merge.pages(ofGuest: guest) {
                    let group = groupOfPage[page]
                    guard group != MergeGroups.never else { continue }
                    if local[Int(group)] == 0 { touched.append(group) }
                    local[Int(group)] += 1
                }
                var pairs: [(UInt32, Int32)] = []
                var own = 0
                for group in touched {
                    let copies = local[Int(group)]
                    local[Int(group)] = 0
                    let shared = sharedIndex[Int(group)]
                    if shared == UInt32.max {
                        own += tunables.savedPages(copies: Int(copies), isZero: merge.isZero[Int(group)])
                    } else {
                        pairs.append((shared, copies))
                    }
                }
                pairs.sort { $0.0 < $1.0 }
                profileGroups.append(pairs.map(\.0))
                profileCounts.append(pairs.map(\.1))
                fixed.append(own)
            }
        }
        self.sharedIsZero = sharedIsZero
        groups = profileGroups
        counts = profileCounts
        fixedSaved = fixed
    }

    /// Pages guest `guest` saves alone.
    func aloneSaved(_ guest: Int) -> Int {
        var saved = fixedSaved[guest]
        for (group, copies) in zip(groups[guest], counts[guest]) {
            saved += tunables.savedPages(copies: Int(copies), isZero: sharedIsZero[Int(group)])
        }
        return saved
    }

    /// Pages guests `a` and `b` save together beyond what each saves alone.
    func pairGain(_ a: Int, _ b: Int) -> Int {
        let groupsA = groups[a], groupsB = groups[b]
        let countsA = counts[a], countsB = counts[b]
        var i = 0
        var j = 0
        var gain = 0
        while i < groupsA.count, j < groupsB.count {
            if groupsA[i] < groupsB[j] {
                i += 1
            } else if groupsA[i] > groupsB[j] {
                j += 1
            } else {
                let zero = sharedIsZero[Int(groupsA[i])]
                let x = Int(countsA[i]), y = Int(countsB[j])
                gain += tunables.savedPages(copies: x + y, isZero: zero) - tunables.savedPages(copies: x, isZero: zero)
                    - tunables.savedPages(copies: y, isZero: zero)
                i += 1
                j += 1
            }
        }
        return gain
    }
}
