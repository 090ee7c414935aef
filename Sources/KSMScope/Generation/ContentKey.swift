/// The 64-bit name of one intended page content: a pool and an index inside it.
///
/// Every non-zero page the generator writes carries its key, little-endian, in its first eight
/// bytes, and the rest of the page is a function of the key (and the seed). So two pages are
/// byte-identical exactly when their keys are equal: the generator controls sharing by
/// construction, and ``ExpectedCounts`` can predict a scan without reading a byte.
///
/// The key packs the pool number (1 ..< 2^24) above a 40-bit index, so it is never zero and
/// distinct (pool, index) pairs never give the same key.
public struct ContentKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed value: `pool << 40 | index`.
    public let rawValue: UInt64

    /// Bits of the index.
    public static let indexBits = 40
    /// The largest pool number plus one.
    public static let poolLimit = 1 << 24
    /// The largest index plus one.
    public static let indexLimit = 1 << 40

    /// Packs `pool` (1 ..< ``poolLimit``) and `index` (0 ..< ``indexLimit``).
    public init(pool: Int, index: Int) {
        precondition(pool > 0 && pool < Self.poolLimit && index >= 0 && index < Self.indexLimit)
        rawValue = UInt64(pool) << UInt64(Self.indexBits) | UInt64(index)
    }

    /// Reinterprets a packed value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The pool number.
    public var pool: Int { Int(rawValue >> UInt64(Self.indexBits)) }
    /// The index inside the pool.
    public var index: Int { Int(rawValue & (UInt64(Self.indexLimit) - 1)) }

    public static func < (lhs: ContentKey, rhs: ContentKey) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "\(pool):\(index)" }
}
