/// The rmap items (`struct ksm_rmap_item`) of every guest page, stored as parallel arrays
/// indexed by page slot: ksmd keeps at most one item per address, so the slot is the item.
///
/// 20 bytes a page: flags, the seqnr of an unstable-tree insertion, smart scan's age and
/// remaining skips, `oldchecksum`, the stable node (or, for an unstable item, the content it
/// was inserted with: the kernel's union), and the stable node's `hlist` links.
struct RmapItemTable: Sendable {
    /// No item (list end).
    static let none = UInt32.max
    /// Flag: the slot has an rmap item.
    static let exists: UInt8 = 1
    /// Flag: `UNSTABLE_FLAG`, the item was inserted in the unstable tree.
    static let unstable: UInt8 = 2
    /// Flag: `STABLE_FLAG`, the item is listed on a stable node.
    static let stable: UInt8 = 4

    /// ``exists``, ``unstable``, ``stable``.
    var flags: [UInt8]
    /// `address & SEQNR_MASK`: the low byte of `full_scans` when inserted in the unstable tree.
    var unstableSeqnr: [UInt8]
    /// smart scan's `age`.
    var age: [UInt8]
    /// smart scan's `remaining_skips`.
    var remainingSkips: [UInt8]
    /// `oldchecksum`: the checksum seen on the last processed visit.
    var oldChecksum: [UInt32]
    /// Stable items: the stable node (`head`). Unstable items: the content inserted with.
    var head: [UInt32]
    /// Stable items: next item on the node's `hlist`.
    var hlistNext: [UInt32]
    /// Stable items: previous item on the node's `hlist`, or ``none`` for the first.
    var hlistPrevious: [UInt32]

    /// Memory per page slot.
    static let bytesPerSlot = 4 + 4 * 4

    /// Creates a table of `count` slots without items.
    init(count: Int) {
        flags = Array(repeating: 0, count: count)
        unstableSeqnr = Array(repeating: 0, count: count)
        age = Array(repeating: 0, count: count)
        remainingSkips = Array(repeating: 0, count: count)
        oldChecksum = Array(repeating: 0, count: count)
        head = Array(repeating: Self.none, count: count)
        hlistNext = Array(repeating: Self.none, count: count)
        hlistPrevious = Array(repeating: Self.none, count: count)
    }

    /// Whether `slot` has an item.
    @inline(__always)
    func exists(_ slot: Int) -> Bool { flags[slot] & Self.exists != 0 }

    /// `alloc_rmap_item()`: a zeroed item (`oldchecksum` 0, age 0).
    @inline(__always)
    mutating func create(_ slot: Int) {
        flags[slot] = Self.exists
        age[slot] = 0
        remainingSkips[slot] = 0
        oldChecksum[slot] = 0
        head[slot] = Self.none
    }

    /// `free_rmap_item()`.
    @inline(__always)
    mutating func free(_ slot: Int) { flags[slot] = 0 }
}
