import Testing

@testable import KSMScope

/// A content map built by hand: `images[i]` lists image i's content ids (dense, from 0).
/// Content `zero` (if any) is the all-zero page. Checksums are distinct: 0x1000 + id, and
/// 0xC0FFEE for the zero content.
func tinyMap(_ images: [[UInt32]], zero: UInt32? = nil) -> ContentMap {
    let pages = images.flatMap { $0 }
    let count = Int((pages.max() ?? 0) + 1)
    let checksums = (0..<count).map { UInt32($0) == zero ? UInt32(0xC0FFEE) : 0x1000 + UInt32($0) }
    let zeros = (0..<count).map { UInt32($0) == zero }
    return ContentMap(
        layout: ImageLayout(pageCounts: images.map(\.count)), contentOfPage: pages, checksum: checksums, isZero: zeros)
}

/// Tunables for rule tests: big batches so one batch is one full scan unless asked otherwise.
func ruleTunables(
    pagesToScan: Int = 10_000, maxPageSharing: Int = 256, useZeroPages: Bool = false, smartScan: Bool = false,
    pruneMillisecs: Int = 2000
) -> SimulatorTunables {
    try! SimulatorTunables(
        pagesToScan: pagesToScan, maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, smartScan: smartScan,
        stableNodeChainsPruneMillisecs: pruneMillisecs)
}

@Suite("KSMSimulator: each rule of mm/ksm.c in isolation")
struct SimulatorRulesTests {
    @Test("static identical pages first merge during the 2nd full scan", arguments: KernelVersion.allCases)
    func firstMergeInSecondScan(kernel: KernelVersion) {
        var simulator = KSMSimulator(
            contents: tinyMap([[0, 1, 0]]), tunables: ruleTunables(pagesToScan: 1), kernel: kernel)
        simulator.runFullScans(1)
        #expect(simulator.sample.pagesShared == 0)
        #expect(simulator.sample.pagesVolatile == 3)
        // Batch by batch through the 2nd full scan: the merge happens while full_scans is 1.
        while simulator.sample.pagesSharing == 0 { simulator.runBatch() }
        #expect(simulator.fullScans == 1)
        #expect(simulator.sample.pagesShared == 1)
        #expect(simulator.sample.pagesSharing == 1)
        simulator.runFullScans(1)
        #expect(simulator.sample.pagesUnshared == 1)  // content 1 waits in the unstable tree
    }

    @Test("a page whose checksum changes between visits is volatile and never merges until it holds still")
    func volatility() {
        var simulator = KSMSimulator(contents: tinyMap([[0, 0, 1]]), tunables: ruleTunables())
        let other = simulator.addContent(checksum: 0x5555, isZero: false)
        // Page 1 changes before every full scan: 0 → other → 0 → other.
        simulator.runFullScans(1)
        for round in 0..<4 {
            simulator.write(page: 1, content: round % 2 == 0 ? other : 0)
            simulator.runFullScans(1)
            #expect(simulator.sample.pagesSharing == 0, "round \(round)")
        }
        // The last round wrote content 0 back and its visit recorded the checksum: the next merges.
        simulator.runFullScans(1)
        #expect(simulator.sample.pagesShared == 1)
        #expect(simulator.sample.pagesSharing == 1)
    }

    @Test("the unstable tree is reset at each full scan while pages_unshared drops only on revisits")
    func unstableReset() {
        var simulator = KSMSimulator(contents: tinyMap([[0, 1]]), tunables: ruleTunables(pagesToScan: 1))
        simulator.runFullScans(2)
        #expect(simulator.sample.pagesUnshared == 2)
        #expect(simulator.unstable.sizes[0] == 2)
        simulator.runBatch()  // starts the 3rd full scan: the tree is reset, page 0 re-inserted
        #expect(simulator.unstable.sizes[0] == 1)
        #expect(simulator.sample.pagesUnshared == 2)  // page 1 still counted until revisited
        simulator.runBatch()
        #expect(simulator.sample.pagesUnshared == 2)
        #expect(simulator.unstable.sizes[0] == 2)
    }

    @Test("chains: copies around max_page_sharing pack as KSMPageFill says", arguments: [2, 3, 4, 5, 8, 9, 10, 13])
    func chains(copies: Int) {
        let maxPageSharing = 4
        var simulator = KSMSimulator(
            contents: tinyMap([Array(repeating: 0, count: copies) + [1]]),
            tunables: ruleTunables(maxPageSharing: maxPageSharing))
        simulator.runFullScans(3)
        let fill = KSMPageFill(copies: copies, maxPageSharing: maxPageSharing)
        let sample = simulator.sample
        #expect(sample.pagesShared == fill.ksmPages)
        #expect(sample.pagesSharing == fill.sharing)
        #expect(sample.stableNodeChains == (fill.isChained ? 1 : 0))
        #expect(sample.stableNodeDups == (fill.isChained ? fill.ksmPages : 0))
        // The leftover copy is the last one in scan order.
        #expect((simulator.memory.ksmNode(copies - 1) == nil) == (fill.leftover == 1))
    }

    @Test("9 copies under max_page_sharing 4: two full KSM pages in one chain and one copy left over")
    func nineCopies() {
        var simulator = KSMSimulator(
            contents: tinyMap([Array(repeating: 0, count: 9)]), tunables: ruleTunables(maxPageSharing: 4))
        simulator.runFullScans(2)
        let sample = simulator.sample
        #expect(sample.pagesShared == 2)
        #expect(sample.pagesSharing == 6)
        #expect(sample.stableNodeChains == 1)
        #expect(sample.stableNodeDups == 2)
        // The 9th copy found both dups full and waits in the unstable tree with no partner.
        #expect(sample.pagesUnshared == 1)
        #expect(simulator.memory.ksmNode(8) == nil)
        simulator.runFullScans(5)
        #expect(simulator.sample.pagesShared == 2)
        #expect(simulator.sample.pagesSharing == 6)
    }

    @Test("257 copies: one KSM page of 256 and the last copy unmerged in the last image")
    func leftoverSingleCopy() {
        let images: [[UInt32]] = [Array(repeating: 0, count: 200), Array(repeating: 0, count: 57)]
        var simulator = KSMSimulator(contents: tinyMap(images), tunables: ruleTunables())
        simulator.runFullScans(3)
        #expect(simulator.sample.pagesShared == 1)
        #expect(simulator.sample.pagesSharing == 255)
        #expect(simulator.sample.stableNodeChains == 0)
        #expect(simulator.processStats.map(\.ksmMergingPages) == [200, 56])
        #expect(simulator.processStats.map(\.ksmRmapItems) == [200, 57])
    }

    @Test("use_zero_pages: zero pages go to the zero page in the 2nd scan; their rmap items go in the 3rd")
    func zeroPages() {
        let map = tinyMap([[0, 0, 1], [0, 2]], zero: 0)
        var simulator = KSMSimulator(contents: map, tunables: ruleTunables(useZeroPages: true))
        simulator.runFullScans(2)
        #expect(simulator.sample.ksmZeroPages == 3)
        #expect(simulator.sample.pagesShared == 0)
        #expect(simulator.counters.rmapItems == 5)  // the items linger in no tree
        #expect(simulator.sample.pagesVolatile == 3)
        simulator.runFullScans(1)
        #expect(simulator.counters.rmapItems == 2)
        #expect(simulator.processStats.map(\.ksmZeroPages) == [2, 1])
        #expect(simulator.processStats.map(\.ksmRmapItems) == [1, 1])
        #expect(simulator.sample.generalProfit == 3 * 4096 - 2 * 64)

        var plain = KSMSimulator(contents: map, tunables: ruleTunables(useZeroPages: false))
        plain.runFullScans(3)
        #expect(plain.sample.ksmZeroPages == 0)
        #expect(plain.sample.pagesShared == 1)
        #expect(plain.sample.pagesSharing == 2)
    }

    @Test("smart scan processes a never-merging page on visits 0, 1, 2, 3, 5, 8, 13, 22, 31, 40")
    func smartScanSchedule() {
        #expect(SmartScan.processedVisits(first: 41) == [0, 1, 2, 3, 5, 8, 13, 22, 31, 40])
        // One unique page and two identical ones: the KSM pages are processed on every visit.
        var simulator = KSMSimulator(contents: tinyMap([[0, 1, 1]]), tunables: ruleTunables(smartScan: true))
        var processed: [Int] = []
        var skipped = 0
        for visit in 0..<41 {
            let before = simulator.sample
            simulator.runFullScans(1)
            let after = simulator.sample
            let scanned = after.pagesScanned - before.pagesScanned
            if visit >= 2 { #expect(scanned >= 2, "visit \(visit): KSM pages are never skipped") }
            if visit >= 2, scanned == 3 { processed.append(visit) }
            if visit < 2, scanned == 3 { processed.append(visit) }
            skipped += after.pagesSkipped - before.pagesSkipped
        }
        #expect(processed == [0, 1, 2, 3, 5, 8, 13, 22, 31, 40])
        #expect(skipped == 41 - 10)
    }

    @Test("a smart-scan skip takes the page out of the unstable tree: pages_unshared becomes pages_volatile")
    func skipRemovesFromTree() {
        var simulator = KSMSimulator(contents: tinyMap([[0]]), tunables: ruleTunables(smartScan: true))
        simulator.runFullScans(4)  // visits 0-3 processed: in the unstable tree
        #expect(simulator.sample.pagesUnshared == 1)
        simulator.runFullScans(1)  // visit 4 skipped
        #expect(simulator.sample.pagesUnshared == 0)
        #expect(simulator.sample.pagesVolatile == 1)
        #expect(simulator.sample.pagesSkipped == 1)
    }

    @Test("6.10 merges a page identical to a KSM page on its first visit; 6.11 needs a stable checksum")
    func kernelOrder() {
        let map = tinyMap([[0, 0]])
        for kernel in KernelVersion.allCases {
            // Guest 0 has a third page slot, empty until the guest writes content 0 into it.
            var simulator = KSMSimulator(
                contents: map, guestImages: [0], guestPages: [3], tunables: ruleTunables(), kernel: kernel)
            simulator.runFullScans(2)
            #expect(simulator.sample.pagesSharing == 1)
            simulator.write(page: 2, content: 0)
            simulator.runFullScans(1)
            #expect(simulator.sample.pagesSharing == (kernel == .v6_10 ? 2 : 1), "kernel \(kernel)")
            simulator.runFullScans(1)
            #expect(simulator.sample.pagesSharing == 2, "kernel \(kernel)")
        }
    }

    @Test("6.10 pays a stable-tree walk for every volatile page, 6.11 does not")
    func kernelOrderCost() {
        // Many pages that change every scan, beside a populated stable tree.
        let images: [[UInt32]] = [(0..<64).map { UInt32($0 % 8) } + (8..<72).map { UInt32($0) }]
        var cost: [KernelVersion: Double] = [:]
        for kernel in KernelVersion.allCases {
            var simulator = KSMSimulator(contents: tinyMap(images), tunables: ruleTunables(), kernel: kernel)
            simulator.runFullScans(2)
            #expect(simulator.sample.pagesShared == 8)
            let before = simulator.cpuNanoseconds
            for round in 0..<3 {
                // The 64 unique pages get new bytes (and a new checksum) before every scan.
                for page in 64..<128 {
                    let content = simulator.addContent(checksum: UInt32(0x10000 + round * 1000 + page), isZero: false)
                    simulator.write(page: page, content: content)
                }
                simulator.runFullScans(1)
            }
            cost[kernel] = simulator.cpuNanoseconds - before
        }
        // Per volatile page, 6.10 walks the 8-node stable tree (4 levels) before the checksum.
        #expect(cost[.v6_10]! - cost[.v6_11]! == 3 * 64 * 4 * KSMCostProfile.default.stableTreeLevel)
    }

    @Test("copy-on-write: counters move only when ksmd revisits the page; a lone KSM page stays")
    func copyOnWriteDelay() {
        var simulator = KSMSimulator(contents: tinyMap([[0, 0, 1]]), tunables: ruleTunables(pagesToScan: 1))
        let fresh = [
            simulator.addContent(checksum: 0x7001, isZero: false),
            simulator.addContent(checksum: 0x7002, isZero: false),
        ]
        simulator.runFullScans(2)
        #expect(simulator.sample.pagesShared == 1)
        #expect(simulator.sample.pagesSharing == 1)
        simulator.write(page: 1, content: fresh[0])
        #expect(simulator.sample.cowKSM == 1)
        #expect(simulator.sample.pagesSharing == 1)
        simulator.runBatch()  // page 0: still the KSM page's mapping
        #expect(simulator.sample.pagesSharing == 1)
        simulator.runBatch()  // page 1: its item leaves the KSM page
        #expect(simulator.sample.pagesShared == 1)
        #expect(simulator.sample.pagesSharing == 0)
        #expect(simulator.processStats[0].ksmMergingPages == 1)
        simulator.runFullScans(3)
        #expect(simulator.sample.pagesShared == 1)  // the KSM page with one mapping is kept

        // The last mapping goes: the KSM page is freed, its node stale until page 0 is revisited.
        simulator.write(page: 0, content: fresh[1])
        #expect(simulator.sample.pagesShared == 1)
        while !simulator.cursorAtHead { simulator.runBatch() }
        simulator.runBatch()
        #expect(simulator.sample.pagesShared == 0)
        #expect(simulator.stable.nodes.liveCount == 0)
    }

    @Test("a write to a KSM zero page drops ksm_zero_pages at once")
    func zeroPageWrite() {
        var simulator = KSMSimulator(
            contents: tinyMap([[0, 0, 1]], zero: 0), tunables: ruleTunables(useZeroPages: true))
        simulator.runFullScans(3)
        #expect(simulator.sample.ksmZeroPages == 2)
        simulator.write(page: 0, content: 1)
        #expect(simulator.sample.ksmZeroPages == 1)
        #expect(simulator.processStats[0].ksmZeroPages == 1)
        #expect(simulator.cowBreaks == 1)
        #expect(simulator.sample.cowKSM == 0)
    }

    @Test(
        "a write of the same bytes breaks the merge, which is made again on the next visit",
        arguments: KernelVersion.allCases)
    func sameBytesRemerge(kernel: KernelVersion) {
        var simulator = KSMSimulator(contents: tinyMap([[0, 0, 0]]), tunables: ruleTunables(), kernel: kernel)
        simulator.runFullScans(2)
        #expect(simulator.sample.pagesSharing == 2)
        simulator.write(page: 2, content: 0)
        #expect(simulator.sample.cowKSM == 1)
        simulator.runFullScans(1)
        #expect(simulator.sample.pagesShared == 1)
        #expect(simulator.sample.pagesSharing == 2)
        #expect(simulator.memory.ksmNode(2) != nil)
    }

    @Test("a changed page is volatile on its next visit and merges on the one after", arguments: KernelVersion.allCases)
    func changedPageMergesAfterOneStableVisit(kernel: KernelVersion) {
        var simulator = KSMSimulator(contents: tinyMap([[0, 0, 1, 1]]), tunables: ruleTunables(), kernel: kernel)
        simulator.runFullScans(2)
        #expect(simulator.sample.pagesSharing == 2)
        // Page 3 leaves content 1's KSM page for content 0's: a real change of bytes.
        simulator.write(page: 3, content: 0)
        simulator.runFullScans(1)
        #expect(simulator.sample.pagesSharing == (kernel == .v6_10 ? 2 : 1))
        simulator.runFullScans(1)
        #expect(simulator.sample.pagesSharing == 2)
        #expect(simulator.sample.pagesShared == 2)
    }

    @Test("a stale dup is removed with its items; a chain left with one dup collapses (6.11: on any walk)")
    func chainCollapse() {
        for kernel in KernelVersion.allCases {
            for prune in [0, 1_000_000] {
                var simulator = KSMSimulator(
                    contents: tinyMap([[0, 0, 0, 0, 1, 2, 3]]),
                    tunables: ruleTunables(maxPageSharing: 2, pruneMillisecs: prune),
                    kernel: kernel)
                let fresh = (0..<3).map { simulator.addContent(checksum: 0x7000 + UInt32($0), isZero: false) }
                simulator.runFullScans(2)
                #expect(simulator.sample.stableNodeChains == 1)
                #expect(simulator.sample.stableNodeDups == 2)
                // Page 1 leaves the first KSM page; pages 2 and 3 leave the second, which is freed.
                simulator.write(page: 1, content: fresh[0])
                simulator.write(page: 2, content: fresh[1])
                simulator.write(page: 3, content: fresh[2])
                simulator.runFullScans(1)
                #expect(simulator.sample.stableNodeDups == 1, "\(kernel) prune \(prune)")
                #expect(simulator.sample.stableNodeChains == 1)
                #expect(simulator.sample.pagesShared == 1)
                #expect(simulator.sample.pagesSharing == 0)
                // Page 1 gets content 0 back; its next processed visits look the chain up.
                simulator.write(page: 1, content: 0)
                simulator.runFullScans(2)
                #expect(simulator.sample.pagesSharing == 1, "\(kernel) prune \(prune)")
                let collapses = kernel == .v6_11 || prune == 0
                #expect(simulator.sample.stableNodeChains == (collapses ? 0 : 1), "\(kernel) prune \(prune)")
                #expect(simulator.sample.stableNodeDups == (collapses ? 0 : 1), "\(kernel) prune \(prune)")
            }
        }
    }

    @Test("an unstable-tree page changed since insertion is a miss (the model's stand-in for tree corruption)")
    func unstableTreeCorruption() {
        var simulator = KSMSimulator(contents: tinyMap([[0, 1, 0]]), tunables: ruleTunables(pagesToScan: 1))
        simulator.runFullScans(1)
        simulator.runBatch()  // page 0 inserted in the unstable tree with content 0
        simulator.write(page: 0, content: 1)
        simulator.runBatch()
        simulator.runBatch()  // page 2 (content 0) finds page 0 changed: no merge, inserted instead
        #expect(simulator.sample.pagesShared == 0)
        #expect(simulator.sample.pagesUnshared == 3)
    }

    @Test("a page that goes away loses its rmap item when the cursor passes; a KSM zero page at once")
    func unmappedPages() {
        var simulator = KSMSimulator(
            contents: tinyMap([[0, 1, 2, 2]], zero: 0), tunables: ruleTunables(useZeroPages: true))
        simulator.runFullScans(3)
        #expect(simulator.sample.ksmZeroPages == 1)
        #expect(simulator.counters.rmapItems == 3)
        simulator.unmap(page: 0)
        #expect(simulator.sample.ksmZeroPages == 0)
        simulator.unmap(page: 3)  // a sharing mapping of content 2's KSM page
        #expect(simulator.counters.rmapItems == 3)
        simulator.runFullScans(1)
        #expect(simulator.counters.rmapItems == 2)
        #expect(simulator.sample.pagesShared == 1)
        #expect(simulator.sample.pagesSharing == 0)
    }

    @Test("an unstable hit makes the scanned page the KSM page: the tree item is appended first")
    func unstableHitOrder() {
        var simulator = KSMSimulator(contents: tinyMap([[0], [0]]), tunables: ruleTunables())
        simulator.runFullScans(2)
        let node = simulator.memory.ksmNode(1)!
        #expect(simulator.memory.ksmNode(0) == node)
        // hlist_add_head: the scanned page (appended last) is first on the list.
        #expect(simulator.stable.nodes.hlistFirst[Int(node)] == 1)
        #expect(simulator.processStats.map(\.ksmMergingPages) == [1, 1])
    }

    @Test("merge_across_nodes 0: each guest has its own trees and pages merge only within it")
    func perNodeTrees() {
        let tunables = try! SimulatorTunables(pagesToScan: 10_000, smartScan: false, mergeAcrossNodes: false)
        var simulator = KSMSimulator(contents: tinyMap([[0, 0, 1], [0, 1, 1]]), tunables: tunables)
        simulator.runFullScans(3)
        #expect(simulator.sample.pagesShared == 2)
        #expect(simulator.sample.pagesSharing == 2)
        #expect(simulator.processStats.map(\.ksmMergingPages) == [2, 2])
    }

    @Test("batches end early at the end of a full scan")
    func batchesEndAtScanBoundary() {
        var simulator = KSMSimulator(contents: tinyMap([[0, 1, 2, 3, 4]]), tunables: ruleTunables(pagesToScan: 3))
        #expect(simulator.scanBatch() == false)
        #expect(simulator.sample.pagesScanned == 3)
        #expect(simulator.scanBatch() == true)  // 2 pages, then the end of the scan
        #expect(simulator.sample.pagesScanned == 5)
        #expect(simulator.fullScans == 1)
        simulator.scanBatch()
        #expect(simulator.sample.pagesScanned == 8)
    }

    @Test("time: batches cost CPU from the profile and sleeps end on the timer wheel's tick")
    func time() {
        let costs = KSMCostProfile(
            pageWalk: 1000, absentPage: 0, rmapItem: 0, ksmPageCheck: 0, checksum: 0, stableTreeLevel: 0, chainDup: 0,
            unstableTreeLevel: 0, unstableTreeInsert: 0, merge: 0, zeroCompare: 0, batch: 0, coldPage: 0, fullScan: 0,
            wakeLatency: 0, cpuAvailability: 1)
        let tunables = try! SimulatorTunables(pagesToScan: 2, sleepMillisecs: 10, smartScan: false, hz: 250)
        var simulator = KSMSimulator(contents: tinyMap([[0, 1, 2, 3]]), tunables: tunables, costs: costs)
        #expect(tunables.sleepJiffies == 3)  // 10 ms at HZ 250: 2.5 ticks, rounded up
        simulator.runBatch()
        #expect(simulator.cpuNanoseconds == 2000)
        // Armed in jiffy 0 for 3 jiffies, the timer fires on tick 4 (calc_index() rounds up).
        #expect(abs(simulator.seconds - 0.016) < 1e-9)
        simulator.runBatch()
        #expect(simulator.fullScans == 0)  // the budget ran out on the scan's last page
        simulator.runBatch()
        #expect(simulator.fullScans == 1)
        #expect(abs(simulator.seconds - 0.048) < 1e-9)
        #expect(simulator.work[.pageWalk] == 4)
        #expect(simulator.work[.batch] == 3)
        #expect(simulator.work[.coldPage] == 4)
        #expect(simulator.work[.fullScan] == 1)
    }
}
