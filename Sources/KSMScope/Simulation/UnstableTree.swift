/// The unstable tree(s): pages whose checksum held still for one visit, waiting in the current
/// full scan for an identical partner.
///
/// The kernel keeps an rbtree ordered by the pages' *current* bytes, reset at the start of every
/// full scan. A page changed after it was inserted leaves the tree mis-ordered ("corrupted"),
/// so later lookups can miss matches, depending on the exact tree shape. This model is an
/// exact-match map keyed by the content a page had when it was inserted; a hit whose page no
/// longer holds that content counts as a miss (and the scanned page takes its place in the
/// map). Missed matches that the kernel's mis-ordering would cause elsewhere in the tree are
/// not reproduced.
struct UnstableTree: Sendable {
    /// Per (node, content at insertion): the page slot of the rmap item inserted for it.
    private var entries: ContentIndex
    /// Per node: items in the tree (for the walk's depth).
    private(set) var sizes: [Int]

    /// Creates empty trees for `nodeCount` nodes.
    init(nodeCount: Int, contentCount: Int) {
        entries = ContentIndex(nodeCount: nodeCount, contentCount: contentCount)
        sizes = Array(repeating: 0, count: max(1, nodeCount))
    }

    /// Makes room for content ids below `count`.
    mutating func reserve(contents count: Int) { entries.reserve(contents: count) }

    /// `root_unstable_tree[nid] = RB_ROOT` for every node: forgets every entry.
    mutating func reset() {
        entries.removeAll()
        for index in sizes.indices { sizes[index] = 0 }
    }

    /// The page slot inserted for `content` on `node`, or `ContentIndex.absent`.
    @inline(__always)
    func lookup(node: Int, content: UInt32) -> UInt32 { entries[node, content] }

    /// Inserts `page`, whose content is `content`, replacing any stale entry for that content.
    @inline(__always)
    mutating func insert(node: Int, content: UInt32, page: Int) {
        entries[node, content] = UInt32(page)
        sizes[node] += 1
    }

    /// `rb_erase()` of `page`, inserted for `content`, during the full scan that inserted it.
    @inline(__always)
    mutating func erase(node: Int, content: UInt32, page: Int) {
        if entries[node, content] == UInt32(page) { entries[node, content] = ContentIndex.absent }
        sizes[node] -= 1
    }
}
