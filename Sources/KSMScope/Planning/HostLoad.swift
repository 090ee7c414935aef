/// One host of a placement while it is being searched: its guests, their cost, and the exact
/// saving of their pages together, kept as the size of every shared merge group on the host.
///
/// Adding or removing a guest costs the number of shared groups it holds. Memory: 4 bytes per
/// shared group per host.
struct HostLoad {
    /// The profiles every guest comes from.
    let profiles: GuestProfiles
    /// Copies of each shared group on the host.
    private var count: [Int32]
    /// The host's guests.
    private(set) var guests: Set<Int> = []
    /// Their memory plus overhead, bytes.
    private(set) var costBytes = 0
    /// Pages they save together.
    private(set) var savedPages = 0

    /// An empty host.
    init(profiles: GuestProfiles) {
        self.profiles = profiles
        count = Array(repeating: 0, count: profiles.sharedCount)
    }

    /// Pages the host's saving grows by if `guest` joins (without adding it).
    func gain(adding guest: Int) -> Int { change(guest, copies: 1) }

    /// Pages the host's saving shrinks by if `guest` (on it) leaves.
    func loss(removing guest: Int) -> Int { -change(guest, copies: -1) }

    /// How the saving changes if `guest`'s copies are added (`copies` 1) or taken away (-1).
    private func change(_ guest: Int, copies sign: Int) -> Int {
        var change = sign * profiles.fixedSaved[guest]
        let groups = profiles.groups[guest]
        let copies = profiles.counts[guest]
        count.withUnsafeBufferPointer { count in
            for index in groups.indices {
                let group = Int(groups[index])
                let now = Int(count[group])
                change += profiles.savedPages(copies: now + sign * Int(copies[index]), group: group)
                    - profiles.savedPages(copies: now, group: group)
            }
        }
        return change
    }

    /// Pages saved beyond both hosts' own savings if `other`'s guests joined this host: for
    /// every shared group both hold, what merging their copies adds. `stamp` (one entry per
    /// shared group) and `epoch` are scratch, so each group is counted once.
    func mergeGain(with other: HostLoad, stamp: inout [Int32], epoch: inout Int32) -> Int {
        epoch &+= 1
        if epoch == 0 {
            for index in stamp.indices { stamp[index] = 0 }
            epoch = 1
        }
        let mark = epoch
        var gain = 0
        count.withUnsafeBufferPointer { mine in
            other.count.withUnsafeBufferPointer { theirs in
                stamp.withUnsafeMutableBufferPointer { stamp in
                    for guest in other.guests {
                        for group in profiles.groups[guest] {
                            let index = Int(group)
                            guard stamp[index] != mark else { continue }
                            stamp[index] = mark
                            let a = Int(mine[index])
                            guard a > 0 else { continue }
                            let b = Int(theirs[index])
                            gain += profiles.savedPages(copies: a + b, group: index)
                                - profiles.savedPages(copies: a, group: index) - profiles.savedPages(copies: b, group: index)
                        }
                    }
                }
            }
        }
        return gain
    }

    /// How the savings of hosts `a` and `b` change, in pages, if `guest` (on `a`) and `partner`
    /// (on `b`) trade places, found without moving them: only the groups either holds change.
    static func swapChange(_ a: HostLoad, _ b: HostLoad, guest: Int, partner: Int) -> (a: Int, b: Int) {
        let profiles = a.profiles
        let groupsG = profiles.groups[guest], countsG = profiles.counts[guest]
        let groupsH = profiles.groups[partner], countsH = profiles.counts[partner]
        var changeA = profiles.fixedSaved[partner] - profiles.fixedSaved[guest]
        var changeB = -changeA
        a.count.withUnsafeBufferPointer { countA in
            b.count.withUnsafeBufferPointer { countB in
                var i = 0
                var j = 0
                while i < groupsG.count || j < groupsH.count {
                    let group: UInt32
                    var fromG: Int32 = 0
                    var fromH: Int32 = 0
                    if j == groupsH.count || (i < groupsG.count && groupsG[i] < groupsH[j]) {
                        group = groupsG[i]
                        fromG = countsG[i]
                        i += 1
                    } else if i == groupsG.count || groupsH[j] < groupsG[i] {
                        group = groupsH[j]
                        fromH = countsH[j]
                        j += 1
                    } else {
                        group = groupsG[i]
                        fromG = countsG[i]
                        fromH = countsH[j]
                        i += 1
                        j += 1
                    }
                    let index = Int(group)
                    let onA = Int(countA[index]), onB = Int(countB[index])
                    let moved = Int(fromH - fromG)
                    changeA += profiles.savedPages(copies: onA + moved, group: index) - profiles.savedPages(copies: onA, group: index)
                    changeB += profiles.savedPages(copies: onB - moved, group: index) - profiles.savedPages(copies: onB, group: index)
                }
            }
        }
        return (changeA, changeB)
    }

    /// Puts `guest`, of `cost` bytes, on the host.
    mutating func add(_ guest: Int, cost: Int) {
        savedPages += gain(adding: guest)
        costBytes += cost
        guests.insert(guest)
        let groups = profiles.groups[guest]
        let copies = profiles.counts[guest]
        count.withUnsafeMutableBufferPointer { count in
            for index in groups.indices { count[Int(groups[index])] += copies[index] }
        }
    }

    /// Takes `guest`, of `cost` bytes, off the host.
    mutating func remove(_ guest: Int, cost: Int) {
        savedPages -= loss(removing: guest)
        costBytes -= cost
        guests.remove(guest)
        let groups = profiles.groups[guest]
        let copies = profiles.counts[guest]
        count.withUnsafeMutableBufferPointer { count in
            for index in groups.indices { count[Int(groups[index])] -= copies[index] }
        }
    }
}
