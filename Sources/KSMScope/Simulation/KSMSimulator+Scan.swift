/// The scan loop: `scan_get_next_rmap_item()` and `cmp_and_merge_page()`.
extension KSMSimulator {
    /// `scan_get_next_rmap_item()`: the next page to process, or nil at the end of a full scan.
    ///
    /// At the start of a full scan the advisor notes the time and the unstable trees are reset.
    /// The cursor then walks every guest's slots in order: addresses with no page (or KSM's zero
    /// page) are passed and their rmap items freed; a page seen for the first time gets a fresh
    /// rmap item; smart scan may skip a page (not consuming `pages_to_scan`). After the last
    /// guest the advisor runs and `full_scans` increments.
    mutating func scanGetNextRmapItem() -> (slot: Int, guest: Int)? {
        if cursorAtHead {
            charge(.fullScan)
            if tunables.advisorMode == .scanTime { advisor.startScan(nowNanoseconds: nowNanoseconds) }
            unstable.reset()
            cursorAtHead = false
            cursorSlot = 0
            cursorGuest = 0
        }
        let total = memory.layout.totalPages
        let starts = memory.layout.starts
        while cursorSlot < total {
            while cursorSlot >= starts[cursorGuest + 1] { cursorGuest += 1 }
            let slot = cursorSlot
            let guest = cursorGuest
            cursorSlot += 1
            guard memory.isScannable(slot) else {
                charge(.absentPage)
                if items.exists(slot) {
                    removeRmapItemFromTree(slot, guest: guest)
                    freeRmapItem(slot, guest: guest)
                }
                continue
            }
            charge(.pageWalk)
            if !items.exists(slot) {
                charge(.rmapItem)
                items.create(slot)
                counters.rmapItems += 1
                processes[guest].rmapItems += 1
            }
            if tunables.smartScan && memory.ksmNode(slot) == nil {
                var age = items.age[slot]
                var remaining = items.remainingSkips[slot]
                let skip = SmartScan.shouldSkip(age: &age, remainingSkips: &remaining)
                items.age[slot] = age
                items.remainingSkips[slot] = remaining
                if skip {
                    counters.pagesSkipped += 1
                    removeRmapItemFromTree(slot, guest: guest)
                    continue
                }
            }
            return (slot, guest)
        }
        if tunables.advisorMode == .scanTime {
            pagesToScan = Int(
                advisor.stopScan(
                    nowNanoseconds: nowNanoseconds, cpuTimeNanoseconds: UInt64(cpuNanoseconds),
                    pagesToScan: UInt64(pagesToScan), tunables: tunables))
        }
        fullScans += 1
        cursorAtHead = true
        return nil
    }

    /// The clock in whole nanoseconds.
    var nowNanoseconds: UInt64 { UInt64(wallNanoseconds) }

    /// `free_rmap_item()`.
    mutating func freeRmapItem(_ slot: Int, guest: Int) {
        items.free(slot)
        counters.rmapItems -= 1
        processes[guest].rmapItems -= 1
    }

    /// `cmp_and_merge_page()` for the page at `slot`, in the order of ``kernel``.
    mutating func cmpAndMergePage(_ slot: Int, guest: Int) {
        let nid = nid(ofGuest: guest)
        let content = memory.content[slot]
        if let node = memory.ksmNode(slot) {
            // Already a KSM page.
            if items.flags[slot] & RmapItemTable.stable != 0 && items.head[slot] == node {
                charge(.ksmPageCheck)
                return
            }
            // A KSM page whose item is listed elsewhere (a forked KSM page in the kernel): the
            // stable search returns the page itself and the item joins its node.
            let bypass = !stable.nodes.isSharingCandidate(node, maxPageSharing: tunables.maxPageSharing)
            charge(.ksmPageCheck)
            removeRmapItemFromTree(slot, guest: guest)
            stableTreeAppend(slot, to: node, guest: guest, bypass: bypass)
            return
        }

        if kernel.checksumBeforeStableSearch {
            removeRmapItemFromTree(slot, guest: guest)
            if checksumChanged(slot, content: content) { return }
            if tryToMergeWithZeroPage(slot, content: content, guest: guest) { return }
        }

        let found = stableTreeSearch(content: content, nid: nid)
        removeRmapItemFromTree(slot, guest: guest)
        if found != StableNodeTable.none {
            // try_to_merge_with_ksm_page() and stable_tree_append().
            charge(.merge)
            memory.mapping[slot] = found
            stable.nodes.mapcount[Int(found)] += 1
            stableTreeAppend(slot, to: found, guest: guest, bypass: false)
            return
        }

        if !kernel.checksumBeforeStableSearch {
            if checksumChanged(slot, content: content) { return }
            if tryToMergeWithZeroPage(slot, content: content, guest: guest) { return }
        }

        // unstable_tree_search_insert()
        charge(.unstableTreeLevel, Self.levels(unstable.sizes[nid]))
        let tree = unstable.lookup(node: nid, content: content)
        if tree != ContentIndex.absent {
            let partner = Int(tree)
            guard memory.isScannable(partner) else {
                // get_mergeable_page() found no page: no match, and no insertion either.
                return
            }
            if memory.content[partner] == content {
                mergeTwoPages(slot, guest: guest, with: partner, nid: nid, content: content)
                return
            }
            // The tree page changed since it was inserted: a miss (see UnstableTree).
        }
        charge(.unstableTreeInsert)
        unstable.insert(node: nid, content: content, page: slot)
        items.flags[slot] |= RmapItemTable.unstable
        items.unstableSeqnr[slot] = UInt8(truncatingIfNeeded: fullScans)
        items.head[slot] = content
        counters.pagesUnshared += 1
    }

    /// The volatility filter: computes the checksum and, when it differs from `oldchecksum`,
    /// records it and reports the page as changing.
    @inline(__always)
    private mutating func checksumChanged(_ slot: Int, content: UInt32) -> Bool {
        charge(.checksum)
        let checksum = checksumOfContent[Int(content)]
        guard items.oldChecksum[slot] == checksum else {
            items.oldChecksum[slot] = checksum
            return true
        }
        return false
    }

    /// `try_to_merge_with_zero_page()`: with `use_zero_pages`, a page with the zero page's
    /// checksum is compared with it and, if all zero, replaced by it. Returns whether it was.
    @inline(__always)
    private mutating func tryToMergeWithZeroPage(_ slot: Int, content: UInt32, guest: Int) -> Bool {
        guard tunables.useZeroPages && items.oldChecksum[slot] == zeroChecksum else { return false }
        charge(.zeroCompare)
        guard isZeroContent[Int(content)] else { return false }
        charge(.merge)
        memory.mapping[slot] = GuestMemory.zeroPage
        counters.ksmZeroPages += 1
        processes[guest].zeroPages += 1
        return true
    }

    /// An unstable-tree hit: `try_to_merge_two_pages()` makes the scanned page the KSM page and
    /// maps the tree page to it, then `stable_tree_insert()` and the two appends (tree item
    /// first: `pages_shared`, then the scanned item: `pages_sharing`).
    private mutating func mergeTwoPages(_ slot: Int, guest: Int, with partner: Int, nid: Int, content: UInt32) {
        let partnerGuest = self.guest(of: partner)
        charge(.merge, 2)
        removeRmapItemFromTree(partner, guest: partnerGuest)
        let node = stableTreeInsert(content: content, nid: nid)
        // The partner's mapping is private: it was scanned as such and KSM pages never enter
        // the unstable tree; a KSM mapping is dropped all the same.
        if let old = memory.ksmNode(partner) { stable.nodes.mapcount[Int(old)] -= 1 }
        memory.mapping[slot] = node
        memory.mapping[partner] = node
        stable.nodes.mapcount[Int(node)] = 2
        stableTreeAppend(partner, to: node, guest: partnerGuest, bypass: false)
        stableTreeAppend(slot, to: node, guest: guest, bypass: false)
    }
}
