/// ksmd, simulated scan by scan on page content ids: rmap items, checksums, the unstable and
/// stable trees with chains and dups, zero pages, smart scan, the scan-time advisor, guest
/// writes with copy-on-write, and ksmd's time.
///
/// Each guest is one process registered with KSM (in guest order), whose memory is one
/// mergeable area. ksmd is driven batch by batch: a batch processes up to `pages_to_scan` pages
/// (`ksm_do_scan()`), ending early at the end of a full scan, and is followed by a sleep of
/// `sleep_millisecs` rounded up to jiffies. Every step of the work is charged from a
/// ``KSMCostProfile``; the sum is ksmd's CPU time and, with the sleeps, the simulated clock.
///
/// Pages are compared by content id, never by checksum. The rules follow `mm/ksm.c`:
/// `ksm_do_scan()`, `scan_get_next_rmap_item()`, `should_skip_rmap_item()`,
/// `cmp_and_merge_page()`, the stable and unstable tree walks and `stable_tree_append()`, as
/// docs/ksm-model.md describes them function by function; deviations are where a rule depends
/// on the kernel's rbtree shape (see `UnstableTree` and `StableTree`).
///
/// Drive it step by step for a comparison with the kernel:
/// ```swift
/// var simulator = KSMSimulator(contents: map, tunables: tunables, kernel: .v6_11)
/// simulator.runFullScans(2)
/// simulator.write(page: 17, content: map.contentOfPage[3])
/// simulator.runFullScans(1)
/// print(simulator.sample.pagesSharing, simulator.processStats)
/// ```
public struct KSMSimulator: Sendable {
    /// The tunables ksmd runs with (`pages_to_scan` there is the starting value).
    public let tunables: SimulatorTunables
    /// Whose order of checks `cmp_and_merge_page()` follows.
    public let kernel: KernelVersion
    /// What each step costs.
    public let costs: KSMCostProfile
    /// Bytes per page, for the profits.
    public let pageSize: Int
    /// The contents the guests start from (and snapshots are applied from).
    public let contents: ContentMap

    /// `calc_checksum()` of each content id.
    private(set) var checksumOfContent: [UInt32]
    /// Whether each content id is all zero bytes.
    private(set) var isZeroContent: [Bool]
    /// `zero_checksum`.
    let zeroChecksum: UInt32

    /// The guests' pages.
    var memory: GuestMemory
    /// The rmap items.
    var items: RmapItemTable
    /// The stable tree(s).
    var stable: StableTree
    /// The unstable tree(s).
    var unstable: UnstableTree
    /// Global counters.
    var counters = ScanCounters()
    /// Per guest counters.
    var processes: [ProcessCounters]
    /// The scan-time advisor's context.
    var advisor = ScanTimeAdvisor()

    /// `pages_to_scan` now.
    public internal(set) var pagesToScan: Int
    /// `ksm_scan.seqnr`: full scans completed.
    public internal(set) var fullScans = 0
    /// ksmd's CPU time so far, nanoseconds.
    public internal(set) var cpuNanoseconds: Double = 0
    /// The steps of ksmd's work so far, counted: ``cpuNanoseconds`` is their cost.
    public internal(set) var work = KSMWorkCounts()
    /// ksmd's wall clock.
    public internal(set) var clock: KsmdClock

    /// Whether the scan cursor is at the list head (the next batch starts a full scan).
    var cursorAtHead = true
    /// The next page slot the cursor looks at.
    var cursorSlot = 0
    /// The guest the cursor is in.
    var cursorGuest = 0

    /// Creates a simulator in which every image of `contents` is one guest, in image order.
    ///
    /// - Parameters:
    ///   - contents: the guests' page contents.
    ///   - tunables: ksmd's tunables.
    ///   - kernel: whose `cmp_and_merge_page()` order to follow.
    ///   - costs: the CPU cost of each step.
    ///   - pageSize: bytes per page (for `general_profit` and the zero page's checksum).
    public init(
        contents: ContentMap, tunables: SimulatorTunables = .defaults, kernel: KernelVersion = .v6_11,
        costs: KSMCostProfile = .default, pageSize: Int = 4096
    ) {
        let images = Array(0..<contents.layout.imageCount)
        self.init(
            contents: contents, guestImages: images, guestPages: images.map { contents.layout.pages(of: $0).count },
            tunables: tunables, kernel: kernel, costs: costs, pageSize: pageSize)
    }

    /// Creates a simulator whose guest `g` starts as image `guestImages[g]` of `contents`, with
    /// room for `guestPages[g]` pages (at least that image's; later snapshots may be larger).
    public init(
        contents: ContentMap, guestImages: [Int], guestPages: [Int], tunables: SimulatorTunables = .defaults,
        kernel: KernelVersion = .v6_11, costs: KSMCostProfile = .default, pageSize: Int = 4096
    ) {
        precondition(guestImages.count == guestPages.count, "one page count per guest")
        self.tunables = tunables
        self.kernel = kernel
        self.costs = costs
        self.pageSize = pageSize
        self.contents = contents
        clock = KsmdClock(hz: tunables.hz, costs: costs)
        checksumOfContent = contents.checksum
        isZeroContent = contents.isZero
        if let zero = contents.isZero.firstIndex(of: true) {
            zeroChecksum = contents.checksum[zero]
        } else {
            let page = [UInt8](repeating: 0, count: pageSize)
            zeroChecksum = UInt32(truncatingIfNeeded: page.withUnsafeBytes { PageHashFunction.xxh64($0) })
        }
        memory = GuestMemory(slotCounts: guestPages)
        items = RmapItemTable(count: memory.layout.totalPages)
        let nodeCount = tunables.mergeAcrossNodes ? 1 : max(1, guestImages.count)
        stable = StableTree(nodeCount: nodeCount, contentCount: contents.contentCount)
        unstable = UnstableTree(nodeCount: nodeCount, contentCount: contents.contentCount)
        processes = Array(repeating: ProcessCounters(), count: guestImages.count)
        pagesToScan = tunables.pagesToScan
        for (guest, image) in guestImages.enumerated() {
            let source = contents.layout.pages(of: image)
            precondition(source.count <= guestPages[guest], "guest \(guest) is smaller than its first image")
            let start = memory.layout.starts[guest]
            for offset in 0..<source.count {
                memory.content[start + offset] = contents.contentOfPage[source.lowerBound + offset]
            }
        }
    }

    // MARK: - Reading

    /// The number of guests.
    public var guestCount: Int { processes.count }
    /// Where each guest's page slots are in the global numbering ``write(page:content:)`` uses.
    public var guestLayout: ImageLayout { memory.layout }
    /// The simulated clock: seconds since ksmd started.
    public var seconds: Double { wallNanoseconds / 1e9 }
    /// The simulated clock in nanoseconds.
    var wallNanoseconds: Double { clock.wallNanoseconds(cpu: cpuNanoseconds) }
    /// Time ksmd spent not running so far (asleep, or waiting for a CPU), nanoseconds.
    public var idleNanoseconds: Double { wallNanoseconds - cpuNanoseconds }
    /// Pages saved now: `pages_sharing + ksm_zero_pages`.
    public var savedPages: Int { counters.pagesSharing + counters.ksmZeroPages }
    /// Write faults that broke a merge so far: copies of KSM pages (`cow_ksm`) plus writes to
    /// zero pages KSM had placed.
    public var cowBreaks: Int { counters.cowKSM + counters.zeroPageBreaks }
    /// The number of content ids known (those of ``contents`` plus any added).
    public var contentCount: Int { checksumOfContent.count }

    /// The counters now, as sysfs shows them.
    public var sample: SimulationSample {
        let volatile = counters.rmapItems - counters.pagesShared - counters.pagesSharing - counters.pagesUnshared
        return SimulationSample(
            tSeconds: seconds, fullScans: fullScans, pagesScanned: counters.pagesScanned,
            pagesShared: counters.pagesShared, pagesSharing: counters.pagesSharing,
            pagesUnshared: counters.pagesUnshared, pagesVolatile: max(0, volatile), pagesSkipped: counters.pagesSkipped,
            ksmZeroPages: counters.ksmZeroPages, stableNodeChains: stable.chains, stableNodeDups: stable.dups,
            generalProfit: (counters.pagesSharing + counters.ksmZeroPages) * pageSize
                - counters.rmapItems * KSMTunables.rmapItemBytes,
            ksmdCPUSeconds: cpuNanoseconds / 1e9, pagesToScan: pagesToScan, cowKSM: counters.cowKSM)
    }

    /// Each guest's `/proc/PID/ksm_stat` now, in guest order.
    public var processStats: [ProcessKSMStat] {
        processes.map { process in
            ProcessKSMStat(
                ksmRmapItems: process.rmapItems, ksmMergingPages: process.mergingPages, ksmZeroPages: process.zeroPages,
                ksmProcessProfit: (process.mergingPages + process.zeroPages) * pageSize
                    - process.rmapItems * KSMTunables.rmapItemBytes)
        }
    }

    /// Bytes of simulator state per guest page slot (rmap items and guest memory; the content
    /// map and per-content indexes come on top).
    public static let bytesPerPageSlot = RmapItemTable.bytesPerSlot + GuestMemory.bytesPerSlot

    // MARK: - Running ksmd

    /// One `ksm_do_scan()`: processes up to `pages_to_scan` pages; returns whether a full scan
    /// ended (the batch then ends early). No sleep.
    @discardableResult
    public mutating func scanBatch() -> Bool {
        var observer = NoBatchObserver()
        return scanBatch(observer: &observer)
    }

    /// ``scanBatch()``, telling `observer` the CPU time after each page processed.
    @discardableResult
    mutating func scanBatch<Observer: BatchObserver>(observer: inout Observer) -> Bool {
        charge(.batch)
        let operations = work.pageDataOperations
        observer.batchStarted(cpu: cpuNanoseconds, operations: operations)
        var budget = pagesToScan
        defer {
            charge(.coldPage, Double(min(pagesToScan - budget, KSMCostProfile.coldPages)))
            charge(.rewarm, Self.rewarmUnits(sleepJiffies: tunables.sleepJiffies, hz: tunables.hz, operations: work.pageDataOperations - operations))
        }
        while budget > 0 {
            guard let (slot, guest) = scanGetNextRmapItem() else {
                observer.fullScanEnded(cpu: cpuNanoseconds)
                return true
            }
            budget -= 1
            cmpAndMergePage(slot, guest: guest)
            counters.pagesScanned += 1
            observer.pageProcessed(cpu: cpuNanoseconds, savedPages: savedPages, operations: work.pageDataOperations)
        }
        return false
    }

    /// ksmd's sleep after a batch: `msecs_to_jiffies(sleep_millisecs)` jiffies, ended by the
    /// timer wheel's tick and ksmd's wake-up latency (``KsmdClock``).
    public mutating func sleepAfterBatch() {
        clock.sleep(cpu: cpuNanoseconds, jiffies: tunables.sleepJiffies)
    }

    /// ksmd stays stopped (`run` 0) until `seconds`, then runs again: the clock jumps, no work
    /// is done and nothing is charged.
    public mutating func pause(untilSeconds seconds: Double) {
        clock.resume(atWall: seconds * 1e9, cpu: cpuNanoseconds)
    }

    /// A batch and the sleep after it; returns whether a full scan ended.
    @discardableResult
    public mutating func runBatch() -> Bool {
        let ended = scanBatch()
        sleepAfterBatch()
        return ended
    }

    /// Runs batches until `count` more full scans have ended (the sleep after the last
    /// batch included).
    public mutating func runFullScans(_ count: Int) {
        let target = fullScans + count
        while fullScans < target { runBatch() }
    }

    /// Runs batches while the clock is before `seconds`.
    public mutating func run(untilSeconds seconds: Double) {
        while self.seconds < seconds { runBatch() }
    }

    /// `jiffies` now.
    var jiffies: Int64 {
        Int64((wallNanoseconds * Double(tunables.hz) / 1e9 + 1e-6).rounded(.down))
    }

    // MARK: - The guests

    /// Adds a content id for guest writes of bytes the content map does not have.
    ///
    /// - Parameters:
    ///   - checksum: its `calc_checksum()` (low 32 bits of XXH64, seed 0).
    ///   - isZero: whether it is all zero bytes.
    /// - Returns: the new id.
    public mutating func addContent(checksum: UInt32, isZero: Bool) -> UInt32 {
        checksumOfContent.append(checksum)
        isZeroContent.append(isZero)
        stable.reserve(contents: checksumOfContent.count)
        unstable.reserve(contents: checksumOfContent.count)
        return UInt32(checksumOfContent.count - 1)
    }

    /// A guest writes `content` to page slot `page` (numbered as in ``guestLayout``).
    ///
    /// The write faults like the kernel's: a page mapped to a KSM page gets a private copy
    /// (`cow_ksm`), the KSM page losing a mapping and being freed with its last one; a zero page
    /// KSM placed is replaced at once (`ksm_zero_pages` drops now). KSM's other counters change
    /// only when ksmd next visits the page. Writing to an absent page maps a new one.
    public mutating func write(page: Int, content: UInt32) {
        precondition(Int(content) < checksumOfContent.count, "unknown content id \(content)")
        breakMapping(page, counting: true)
        memory.content[page] = content
    }

    /// A guest writes `content` to its page `page`.
    public mutating func write(guest: Int, page: Int, content: UInt32) {
        write(page: memory.layout.starts[guest] + page, content: content)
    }

    /// A guest unmaps page slot `page`: the page goes away (its rmap item is freed when ksmd's
    /// cursor next passes).
    public mutating func unmap(page: Int) {
        breakMapping(page, counting: false)
        memory.content[page] = GuestMemory.absent
    }

    /// Makes guest `guest`'s memory that of image `image` of ``contents``: every page whose
    /// content differs is written, pages listed in `writtenPages` are written even when their
    /// content does not change (a write of the same bytes still breaks a merge), and pages
    /// beyond the image are unmapped.
    ///
    /// - Returns: the writes made.
    @discardableResult
    public mutating func apply(image: Int, toGuest guest: Int, writtenPages: [Int]? = nil) -> Int {
        let source = contents.layout.pages(of: image)
        let slots = memory.layout.pages(of: guest)
        precondition(source.count <= slots.count, "image \(image) is larger than guest \(guest)")
        var writes = 0
        for page in writtenPages ?? [] where page >= 0 && page < source.count {
            write(page: slots.lowerBound + page, content: contents.contentOfPage[source.lowerBound + page])
            writes += 1
        }
        for offset in 0..<slots.count {
            let slot = slots.lowerBound + offset
            if offset < source.count {
                let content = contents.contentOfPage[source.lowerBound + offset]
                if memory.content[slot] != content {
                    write(page: slot, content: content)
                    writes += 1
                }
            } else if memory.content[slot] != GuestMemory.absent {
                unmap(page: slot)
            }
        }
        return writes
    }

    /// The fault side of a write or unmap: drops the KSM page or KSM zero page the slot maps.
    private mutating func breakMapping(_ slot: Int, counting: Bool) {
        let mapping = memory.mapping[slot]
        if mapping == GuestMemory.zeroPage {
            // ksm_might_unmap_zero_page(): at once.
            counters.ksmZeroPages -= 1
            processes[memory.layout.image(containing: slot)].zeroPages -= 1
            if counting { counters.zeroPageBreaks += 1 }
        } else if mapping != GuestMemory.privatePage {
            if counting { counters.cowKSM += 1 }
            stable.nodes.mapcount[Int(mapping)] -= 1
        }
        memory.mapping[slot] = GuestMemory.privatePage
    }

    /// The guest that owns `slot`.
    @inline(__always)
    func guest(of slot: Int) -> Int { memory.layout.image(containing: slot) }

    /// The NUMA node whose trees serve `guest`.
    @inline(__always)
    func nid(ofGuest guest: Int) -> Int { tunables.mergeAcrossNodes ? 0 : guest }

    /// Counts `times` of `step` and charges their CPU time.
    @inline(__always)
    mutating func charge(_ step: KSMCostProfile.Step, _ times: Double = 1) {
        work[step] += times
        cpuNanoseconds += costs[step] * times
    }

    /// The ``KSMCostProfile/rewarm`` units of a batch of `operations` page-data operations after
    /// a sleep of `sleepJiffies` (as long as the timer wheel makes it: ``KsmdClock/sleepTicks(jiffies:)``):
    /// milliseconds slept × √operations.
    @inline(__always)
    static func rewarmUnits(sleepJiffies: Int, hz: Int, operations: Double) -> Double {
        KsmdClock.sleepTicks(jiffies: sleepJiffies) * 1000 / Double(hz) * operations.squareRoot()
    }

    /// Tree depth charged for a walk over `size` nodes: `floor(log2(size)) + 1`.
    @inline(__always)
    static func levels(_ size: Int) -> Double { size <= 0 ? 0 : Double(Int.bitWidth - size.leadingZeroBitCount) }
}
