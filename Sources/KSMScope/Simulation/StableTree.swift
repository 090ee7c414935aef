/// The stable tree(s): one per NUMA node (one in all with `merge_across_nodes`), holding a
/// regular node or a chain per content merged, plus the `stable_node_chains` and
/// `stable_node_dups` counters.
///
/// The kernel's rbtree is ordered by page bytes; KSM pages are write-protected, so it is
/// reliable, and a lookup by content is exact. This model finds a content's node through an
/// index by content id and charges the walk's depth (`log2` of the tree's size) as cost. The
/// structural operations live here; the ones that free stale nodes (and so touch rmap items and
/// counters) are in `KSMSimulator+StableTree.swift`.
struct StableTree: Sendable {
    /// The nodes.
    var nodes = StableNodeTable()
    /// Per (NUMA node, content): the regular node or chain in the tree.
    private var roots: ContentIndex
    /// Per NUMA node: nodes linked in the tree (chains count once).
    private(set) var sizes: [Int]
    /// `ksm_stable_node_chains`.
    private(set) var chains = 0
    /// `ksm_stable_node_dups`.
    private(set) var dups = 0

    /// Creates empty trees for `nodeCount` NUMA nodes.
    init(nodeCount: Int, contentCount: Int) {
        roots = ContentIndex(nodeCount: nodeCount, contentCount: contentCount)
        sizes = Array(repeating: 0, count: max(1, nodeCount))
    }

    /// Makes room for content ids below `count`.
    mutating func reserve(contents count: Int) { roots.reserve(contents: count) }

    /// The node or chain in `nid`'s tree for `content`, or `StableNodeTable.none`.
    @inline(__always)
    func root(nid: Int, content: UInt32) -> UInt32 { roots[nid, content] }

    /// Allocates a regular node and links it in the tree (`rb_link_node`, `rb_insert_color`).
    mutating func linkRegular(content: UInt32, nid: Int) -> UInt32 {
        let node = nodes.allocate(kind: .regular, content: content, nid: nid)
        roots[nid, content] = node
        sizes[nid] += 1
        return node
    }

    /// `rb_erase()` of a regular node or chain.
    mutating func erase(_ node: UInt32) {
        let (nid, content) = place(of: node)
        if roots[nid, content] == node { roots[nid, content] = ContentIndex.absent }
        sizes[nid] -= 1
    }

    /// `alloc_stable_node_chain()`: replaces the regular node `dup` in the tree with a new chain
    /// listing it; the chain's prune time is now.
    mutating func allocateChain(replacing dup: UInt32, jiffies: Int64) -> UInt32 {
        let (nid, content) = place(of: dup)
        let chain = nodes.allocate(kind: .chain, content: content, nid: nid)
        nodes.chainPruneTime[Int(chain)] = jiffies
        chains += 1
        roots[nid, content] = chain
        addDup(dup, to: chain)
        return chain
    }

    /// `stable_node_chain_add_dup()`: lists `dup` first in `chain`.
    mutating func addDup(_ dup: UInt32, to chain: UInt32) {
        let first = nodes.dupNext[Int(chain)]
        nodes.setKind(dup, .dup)
        nodes.dupNext[Int(dup)] = first
        nodes.dupPrevious[Int(dup)] = StableNodeTable.none
        if first != StableNodeTable.none { nodes.dupPrevious[Int(first)] = dup }
        nodes.dupNext[Int(chain)] = dup
        nodes.chainOrDupCount[Int(dup)] = chain
        nodes.chainOrDupCount[Int(chain)] += 1
        dups += 1
    }

    /// `__stable_node_dup_del()`: unlists `dup` from its chain.
    mutating func removeDup(_ dup: UInt32) {
        let chain = nodes.chainOrDupCount[Int(dup)]
        unlink(dup, from: chain)
        nodes.chainOrDupCount[Int(chain)] -= 1
        dups -= 1
    }

    /// Moves `dup` to the front of its chain's list.
    mutating func moveDupToFront(_ dup: UInt32) {
        let chain = nodes.chainOrDupCount[Int(dup)]
        guard nodes.dupNext[Int(chain)] != dup else { return }
        unlink(dup, from: chain)
        let first = nodes.dupNext[Int(chain)]
        nodes.dupNext[Int(dup)] = first
        nodes.dupPrevious[Int(dup)] = StableNodeTable.none
        if first != StableNodeTable.none { nodes.dupPrevious[Int(first)] = dup }
        nodes.dupNext[Int(chain)] = dup
    }

    /// `free_stable_node_chain()`: erases an empty chain from the tree and frees it.
    mutating func freeChain(_ chain: UInt32) {
        precondition(nodes.dupNext[Int(chain)] == StableNodeTable.none, "freeing a chain that lists dups")
        erase(chain)
        nodes.free(chain)
        chains -= 1
    }

    /// Collapses a chain whose only dup is `dup`: the dup replaces the chain in the tree as a
    /// regular node (`rb_replace_node`), and both counters drop.
    mutating func collapse(_ chain: UInt32, into dup: UInt32) {
        let (nid, content) = place(of: chain)
        unlink(dup, from: chain)
        nodes.chainOrDupCount[Int(chain)] -= 1
        roots[nid, content] = dup
        nodes.setKind(dup, .regular)
        nodes.chainOrDupCount[Int(dup)] = StableNodeTable.none
        nodes.free(chain)
        chains -= 1
        dups -= 1
    }

    /// Where a node or chain is indexed.
    @inline(__always)
    private func place(of node: UInt32) -> (nid: Int, content: UInt32) {
        (Int(nodes.nid[Int(node)]), nodes.content[Int(node)])
    }

    private mutating func unlink(_ dup: UInt32, from chain: UInt32) {
        let next = nodes.dupNext[Int(dup)]
        let previous = nodes.dupPrevious[Int(dup)]
        if previous == StableNodeTable.none {
            nodes.dupNext[Int(chain)] = next
        } else {
            nodes.dupNext[Int(previous)] = next
        }
        if next != StableNodeTable.none { nodes.dupPrevious[Int(next)] = previous }
        nodes.dupNext[Int(dup)] = StableNodeTable.none
        nodes.dupPrevious[Int(dup)] = StableNodeTable.none
    }
}
