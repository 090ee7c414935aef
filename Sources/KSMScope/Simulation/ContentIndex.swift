/// A map from (NUMA node, content id) to a UInt32 value: how the simulator finds a tree's entry
/// for a content without comparing pages.
///
/// With one node (`merge_across_nodes` 1, the usual case) it is a flat array indexed by content
/// id, 4 bytes a content; with several nodes a dictionary keyed by both, so memory stays
/// proportional to the entries rather than to nodes × contents.
struct ContentIndex: Sendable {
    /// The value of an absent key.
    static let absent = UInt32.max

    /// One node: the value of each content.
    private var flat: [UInt32]
    /// Several nodes: the values of present keys.
    private var keyed: [UInt64: UInt32]
    /// Whether the flat array is used.
    let isFlat: Bool

    /// Creates an empty index for `nodeCount` nodes and `contentCount` contents (more may be
    /// added later with ``reserve(contents:)``).
    init(nodeCount: Int, contentCount: Int) {
        isFlat = nodeCount <= 1
        flat = isFlat ? Array(repeating: Self.absent, count: contentCount) : []
        keyed = [:]
    }

    /// Makes room for content ids below `count`.
    mutating func reserve(contents count: Int) {
        if isFlat && flat.count < count {
            flat.append(contentsOf: repeatElement(Self.absent, count: count - flat.count))
        }
    }

    @inline(__always)
    private static func key(_ node: Int, _ content: UInt32) -> UInt64 { UInt64(node) << 32 | UInt64(content) }

    /// The value for `content` on `node`, or ``absent``.
    @inline(__always)
    subscript(node: Int, content: UInt32) -> UInt32 {
        get { isFlat ? flat[Int(content)] : keyed[Self.key(node, content)] ?? Self.absent }
        set {
            if isFlat {
                flat[Int(content)] = newValue
            } else if newValue == Self.absent {
                keyed[Self.key(node, content)] = nil
            } else {
                keyed[Self.key(node, content)] = newValue
            }
        }
    }

    /// Removes every entry.
    mutating func removeAll() {
        if isFlat {
            for index in flat.indices { flat[index] = Self.absent }
        } else {
            keyed.removeAll(keepingCapacity: true)
        }
    }
}
