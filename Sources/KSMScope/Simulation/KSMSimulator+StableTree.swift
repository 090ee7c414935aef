/// The stable tree's algorithms that meet stale nodes, touch rmap items or move counters:
/// `ksm_get_folio()`, `remove_node_from_stable_tree()`, `remove_rmap_item_from_tree()`,
/// `stable_tree_append()`, `stable_node_dup()`, `stable_tree_search()`, `stable_tree_insert()`.
///
/// A lookup meets only the node (or chain) of the content looked up; the kernel's walk also
/// meets, and prunes if stale, the nodes on the path from the root, which depends on the
/// rbtree's shape. Stale nodes are therefore removed here when their own content is looked up
/// or one of their rmap items is removed — in practice within the next full scan.
extension KSMSimulator {
    /// `ksm_get_folio()`: whether `node`'s KSM page still exists; if it was freed the node is
    /// stale and is removed (`remove_node_from_stable_tree()`).
    @inline(__always)
    mutating func ksmGetFolio(_ node: UInt32) -> Bool {
        guard stable.nodes.isStale(node) else { return true }
        removeNodeFromStableTree(node)
        return false
    }

    /// `remove_node_from_stable_tree()`: unlists every rmap item still on a stale node (each
    /// leaving `pages_sharing`, the last `pages_shared`), then unlinks the node from its chain
    /// or the tree and frees it.
    mutating func removeNodeFromStableTree(_ node: UInt32) {
        var item = stable.nodes.hlistFirst[Int(node)]
        while item != RmapItemTable.none {
            let slot = Int(item)
            let next = items.hlistNext[slot]
            if next != RmapItemTable.none { counters.pagesSharing -= 1 } else { counters.pagesShared -= 1 }
            processes[guest(of: slot)].mergingPages -= 1
            stable.nodes.rmapHlistLen[Int(node)] -= 1
            items.flags[slot] &= ~RmapItemTable.stable
            item = next
        }
        stable.nodes.hlistFirst[Int(node)] = StableNodeTable.none
        if stable.nodes.kind[Int(node)] == .dup {
            stable.removeDup(node)
        } else {
            stable.erase(node)
        }
        stable.nodes.free(node)
    }

    /// `remove_rmap_item_from_tree()`: takes the item at `slot` out of the stable node it is
    /// listed on (via `ksm_get_folio()`, which may remove a stale node whole) or accounts its
    /// leaving the unstable tree (`pages_unshared`, erased only if inserted in this full scan).
    mutating func removeRmapItemFromTree(_ slot: Int, guest: Int) {
        let flags = items.flags[slot]
        if flags & RmapItemTable.stable != 0 {
            let node = items.head[slot]
            guard ksmGetFolio(node) else { return }
            let next = items.hlistNext[slot]
            let previous = items.hlistPrevious[slot]
            if previous == RmapItemTable.none {
                stable.nodes.hlistFirst[Int(node)] = next
            } else {
                items.hlistNext[Int(previous)] = next
            }
            if next != RmapItemTable.none { items.hlistPrevious[Int(next)] = previous }
            if stable.nodes.hlistFirst[Int(node)] != StableNodeTable.none {
                counters.pagesSharing -= 1
            } else {
                counters.pagesShared -= 1
            }
            processes[guest].mergingPages -= 1
            stable.nodes.rmapHlistLen[Int(node)] -= 1
            items.flags[slot] = flags & ~RmapItemTable.stable
            items.head[slot] = RmapItemTable.none
        } else if flags & RmapItemTable.unstable != 0 {
            let age = UInt8(truncatingIfNeeded: fullScans) &- items.unstableSeqnr[slot]
            precondition(age <= 1, "an unstable rmap item outlived its full scan")
            if age == 0 { unstable.erase(node: nid(ofGuest: guest), content: items.head[slot], page: slot) }
            counters.pagesUnshared -= 1
            items.flags[slot] = flags & ~RmapItemTable.unstable
        }
    }

    /// `stable_tree_append()`: lists the item at `slot` first on `node`; it is the KSM page's
    /// first mapping (`pages_shared`) if the list was empty, else a sharing one.
    mutating func stableTreeAppend(_ slot: Int, to node: UInt32, guest: Int, bypass: Bool) {
        let index = Int(node)
        stable.nodes.rmapHlistLen[index] += 1
        assert(bypass || Int(stable.nodes.rmapHlistLen[index]) <= tunables.maxPageSharing, "max_page_sharing exceeded")
        items.head[slot] = node
        items.flags[slot] = (items.flags[slot] & ~RmapItemTable.unstable) | RmapItemTable.stable
        let first = stable.nodes.hlistFirst[index]
        items.hlistNext[slot] = first
        items.hlistPrevious[slot] = RmapItemTable.none
        if first != StableNodeTable.none {
            items.hlistPrevious[Int(first)] = UInt32(slot)
            counters.pagesSharing += 1
        } else {
            counters.pagesShared += 1
        }
        stable.nodes.hlistFirst[index] = UInt32(slot)
        processes[guest].mergingPages += 1
    }

    /// Whether a chain's dups are all examined now (`chain_prune()` and the prune interval has
    /// passed since the chain's last prune); if so, the prune time is now.
    private mutating func pruneDue(_ chain: UInt32, requested: Bool) -> Bool {
        guard requested else { return false }
        let now = jiffies
        guard now >= stable.nodes.chainPruneTime[Int(chain)] + Int64(tunables.chainPruneJiffies) else { return false }
        stable.nodes.chainPruneTime[Int(chain)] = now
        return true
    }

    /// `stable_node_dup()`: picks the dup of `chain` to merge into, freeing stale dups met on
    /// the way, collapsing a chain left with a single dup and freeing an empty one.
    ///
    /// - Returns: the dup chosen (possibly full: the caller checks) or `StableNodeTable.none`;
    ///   when the chain collapsed the dup is now a regular node in its place.
    private mutating func stableNodeDup(_ chain: UInt32, prune requested: Bool) -> UInt32 {
        let prune = pruneDue(chain, requested: requested)
        let maximum = tunables.maxPageSharing
        var found = StableNodeTable.none
        var foundLength: Int32 = 0
        var live = 0
        var dup = stable.nodes.dupNext[Int(chain)]
        while dup != StableNodeTable.none {
            let next = stable.nodes.dupNext[Int(dup)]
            charge(.chainDup)
            guard ksmGetFolio(dup) else {
                dup = next
                continue
            }
            live += 1
            let candidate = stable.nodes.isSharingCandidate(dup, maxPageSharing: maximum)
            switch kernel {
            case .v6_11:
                // Any live dup is kept, a sharing candidate preferred, the fullest one first.
                if found == StableNodeTable.none
                    || (candidate
                        && (!stable.nodes.isSharingCandidate(found, maxPageSharing: maximum)
                            || stable.nodes.rmapHlistLen[Int(dup)] > foundLength))
                {
                    found = dup
                    foundLength = stable.nodes.rmapHlistLen[Int(dup)]
                    if !prune && candidate {
                        dup = StableNodeTable.none
                        continue
                    }
                }
            case .v6_10:
                // Only sharing candidates, the fullest one first.
                if candidate && (found == StableNodeTable.none || stable.nodes.rmapHlistLen[Int(dup)] > foundLength) {
                    found = dup
                    foundLength = stable.nodes.rmapHlistLen[Int(dup)]
                    if !prune {
                        dup = StableNodeTable.none
                        continue
                    }
                }
            }
            dup = next
        }
        guard found != StableNodeTable.none else {
            // v6.11: the chain's list must be empty: free it. v6.10 leaves that to
            // stable_node_dup_any().
            if kernel == .v6_11 { stable.freeChain(chain) }
            return StableNodeTable.none
        }
        let single: Bool =
            switch kernel {
            case .v6_11: stable.nodes.chainOrDupCount[Int(chain)] == 1
            case .v6_10: prune && live == 1
            }
        if single {
            stable.collapse(chain, into: found)
        } else if stable.nodes.dupNext[Int(chain)] != found
            && stable.nodes.isSharingCandidate(found, maxPageSharing: maximum, offset: 1)
        {
            stable.moveDupToFront(found)
        }
        return found
    }

    /// `stable_tree_search()`: the KSM page (regular node or dup) a page of `content` on NUMA
    /// node `nid` can merge into, or `StableNodeTable.none` if there is none or all are full.
    mutating func stableTreeSearch(content: UInt32, nid: Int) -> UInt32 {
        while true {
            charge(.stableTreeLevel, Self.levels(stable.sizes[nid]))
            let root = stable.root(nid: nid, content: content)
            guard root != StableNodeTable.none else { return StableNodeTable.none }
            if stable.nodes.kind[Int(root)] == .chain {
                let dup = stableNodeDup(root, prune: true)
                if dup == StableNodeTable.none {
                    if kernel == .v6_11 { continue }  // the chain was freed: walk again
                    // v6.10: stable_node_dup_any() keeps the walk going on any dup.
                    let any = stable.nodes.dupNext[Int(root)]
                    if any == StableNodeTable.none {
                        stable.freeChain(root)
                        continue
                    }
                    guard ksmGetFolio(any) else { continue }
                    return StableNodeTable.none  // all dups are full
                }
                return stable.nodes.isSharingCandidate(dup, maxPageSharing: tunables.maxPageSharing)
                    ? dup : StableNodeTable.none
            }
            // A regular node.
            guard ksmGetFolio(root) else { continue }
            return stable.nodes.isSharingCandidate(root, maxPageSharing: tunables.maxPageSharing)
                ? root : StableNodeTable.none
        }
    }

    /// `stable_tree_insert()`: a node for a new KSM page of `content` on NUMA node `nid`: a
    /// regular node in the tree, or a dup of the content's chain (made from its regular node
    /// if needed) when the content is already there.
    mutating func stableTreeInsert(content: UInt32, nid: Int) -> UInt32 {
        while true {
            charge(.stableTreeLevel, Self.levels(stable.sizes[nid]))
            var existing = stable.root(nid: nid, content: content)
            guard existing != StableNodeTable.none else { return stable.linkRegular(content: content, nid: nid) }
            if stable.nodes.kind[Int(existing)] == .chain {
                let dup = stableNodeDup(existing, prune: false)
                if dup == StableNodeTable.none {
                    if kernel == .v6_11 { continue }
                    let any = stable.nodes.dupNext[Int(existing)]
                    if any == StableNodeTable.none {
                        stable.freeChain(existing)
                        continue
                    }
                    guard ksmGetFolio(any) else { continue }
                } else if stable.nodes.kind[Int(dup)] == .regular {
                    existing = dup  // the chain collapsed into it
                }
            } else {
                guard ksmGetFolio(existing) else { continue }
            }
            // need_chain
            let chain =
                stable.nodes.kind[Int(existing)] == .chain
                ? existing : stable.allocateChain(replacing: existing, jiffies: jiffies)
            let node = stable.nodes.allocate(kind: .dup, content: content, nid: nid)
            stable.addDup(node, to: chain)
            return node
        }
    }
}
