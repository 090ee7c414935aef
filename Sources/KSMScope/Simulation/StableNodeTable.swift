/// The stable tree's nodes (`struct ksm_stable_node`), stored as parallel arrays indexed by
/// node number, with a free list so numbers are reused.
///
/// A node is one of three kinds. A *regular* node sits in the tree and stands for one KSM
/// page. A *chain* (`rmap_hlist_len == STABLE_NODE_CHAIN`) sits in the tree in place of a
/// content that needs several KSM pages and lists them as *dups*, each a node with its own KSM
/// page of the same content. Regular nodes and dups list the rmap items mapping their KSM page
/// (`hlist`, `rmap_hlist_len`); the KSM page itself is modelled by its mapping count: when the
/// last mapping goes, the page is freed and the node is stale until something looks at it.
struct StableNodeTable: Sendable {
    /// What a node number stands for.
    enum Kind: UInt8, Sendable {
        /// A KSM page's node linked in the tree.
        case regular
        /// A KSM page's node listed under a chain.
        case dup
        /// A chain in the tree, listing dups.
        case chain
        /// On the free list.
        case free
    }

    /// No node.
    static let none = UInt32.max

    /// Each node's kind.
    private(set) var kind: [Kind] = []
    /// The content of the node's KSM page(s).
    private(set) var content: [UInt32] = []
    /// The NUMA node whose tree holds it.
    private(set) var nid: [Int32] = []
    /// `rmap_hlist_len`: rmap items listed (regular nodes and dups).
    var rmapHlistLen: [Int32] = []
    /// First rmap item (page slot) listed, or ``none`` (regular nodes and dups).
    var hlistFirst: [UInt32] = []
    /// PTEs mapping the KSM page; 0 means the page was freed and the node is stale.
    var mapcount: [Int32] = []
    /// Chains: first dup. Dups: next dup in the chain.
    var dupNext: [UInt32] = []
    /// Dups: previous dup in the chain, or ``none`` for the first.
    var dupPrevious: [UInt32] = []
    /// Dups: their chain. Chains: number of dups listed.
    var chainOrDupCount: [UInt32] = []
    /// Chains: `chain_prune_time`, in jiffies.
    var chainPruneTime: [Int64] = []
    /// Head of the free list.
    private var freeHead = none
    /// Nodes in use.
    private(set) var liveCount = 0

    /// Allocates a node of `kind` for `content` on NUMA node `nid`.
    mutating func allocate(kind: Kind, content: UInt32, nid: Int) -> UInt32 {
        liveCount += 1
        let node: UInt32
        if freeHead != Self.none {
            node = freeHead
            freeHead = dupNext[Int(node)]
            let index = Int(node)
            self.kind[index] = kind
            self.content[index] = content
            self.nid[index] = Int32(nid)
            rmapHlistLen[index] = 0
            hlistFirst[index] = Self.none
            mapcount[index] = 0
            dupNext[index] = Self.none
            dupPrevious[index] = Self.none
            chainOrDupCount[index] = kind == .chain ? 0 : Self.none
            chainPruneTime[index] = 0
        } else {
            node = UInt32(self.kind.count)
            self.kind.append(kind)
            self.content.append(content)
            self.nid.append(Int32(nid))
            rmapHlistLen.append(0)
            hlistFirst.append(Self.none)
            mapcount.append(0)
            dupNext.append(Self.none)
            dupPrevious.append(Self.none)
            chainOrDupCount.append(kind == .chain ? 0 : Self.none)
            chainPruneTime.append(0)
        }
        return node
    }

    /// Returns `node` to the free list.
    mutating func free(_ node: UInt32) {
        let index = Int(node)
        precondition(kind[index] != .free, "stable node freed twice")
        kind[index] = .free
        dupNext[index] = freeHead
        freeHead = node
        liveCount -= 1
    }

    /// Changes a node's kind (a regular node becoming a dup, a dup collapsing back).
    mutating func setKind(_ node: UInt32, _ newKind: Kind) { kind[Int(node)] = newKind }

    /// `__is_page_sharing_candidate(node, offset)`: the KSM page has a mapping listed and room
    /// for `offset + 1` more.
    @inline(__always)
    func isSharingCandidate(_ node: UInt32, maxPageSharing: Int, offset: Int = 0) -> Bool {
        let length = Int(rmapHlistLen[Int(node)])
        return length != 0 && length + offset < maxPageSharing
    }

    /// Whether the node's KSM page has been freed.
    @inline(__always)
    func isStale(_ node: UInt32) -> Bool { mapcount[Int(node)] == 0 }
}
