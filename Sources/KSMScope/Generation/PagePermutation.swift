/// A keyed pseudo-random bijection of `0 ..< count`, computable in both directions without a
/// table: a four-round Feistel network on just enough bits, with cycle walking.
///
/// The generator uses it to scatter a guest's regions over its physical pages and to spread a
/// guest's hot set over its writable pages, in O(1) memory for any image size.
public struct PagePermutation: Sendable {
    /// The size of the domain.
    public let count: Int
    /// Bits of each Feistel half.
    private let halfBits: UInt64
    /// The per-round keys.
    private let keys: (UInt64, UInt64, UInt64, UInt64)

    /// A permutation of `0 ..< count` chosen by `key`.
    public init(count: Int, key: UInt64) {
        precondition(count >= 0)
        self.count = count
        var bits: UInt64 = 2
        while (1 << bits) < count { bits += 2 }
        halfBits = bits / 2
        var generator = SplitMix64(seed: key)
        keys = (generator.next(), generator.next(), generator.next(), generator.next())
    }

    /// The image of `value` (in `0 ..< count`).
    public func forward(_ value: Int) -> Int {
        var x = UInt64(value)
        repeat { x = encrypt(x) } while x >= UInt64(count)
        return Int(x)
    }

    /// The value whose image is `value`: `inverse(forward(x)) == x`.
    public func inverse(_ value: Int) -> Int {
        var x = UInt64(value)
        repeat { x = decrypt(x) } while x >= UInt64(count)
        return Int(x)
    }

    @inline(__always)
    private func round(_ key: UInt64, _ half: UInt64) -> UInt64 {
        SplitMix64.mix(key ^ half) & ((1 << halfBits) - 1)
    }

    private func encrypt(_ x: UInt64) -> UInt64 {
        let mask: UInt64 = (1 << halfBits) - 1
        var left = x >> halfBits
        var right = x & mask
        (left, right) = (right, left ^ round(keys.0, right))
        (left, right) = (right, left ^ round(keys.1, right))
        (left, right) = (right, left ^ round(keys.2, right))
        (left, right) = (right, left ^ round(keys.3, right))
        return left << halfBits | right
    }

    private func decrypt(_ x: UInt64) -> UInt64 {
        let mask: UInt64 = (1 << halfBits) - 1
        var left = x >> halfBits
        var right = x & mask
        (left, right) = (right ^ round(keys.3, left), left)
        (left, right) = (right ^ round(keys.2, left), left)
        (left, right) = (right ^ round(keys.1, left), left)
        (left, right) = (right ^ round(keys.0, left), left)
        return left << halfBits | right
    }
}
