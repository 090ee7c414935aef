/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast 64-bit generator whose output is the
/// same on every machine, used for every random choice and every byte the generator makes.
///
/// The standard library's `random(in:using:)` is not used anywhere in generation: its mapping
/// from generator output to a range may change between Swift releases, which would break the
/// promise that a spec and seed give the same bytes everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The state, advanced by the golden-ratio increment on every draw.
    public var state: UInt64

    /// The golden-ratio increment.
    static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// Starts from a mix of several values (a seed and the indices naming a stream).
    public init(mixing values: UInt64...) {
        var s: UInt64 = 0x6A09_E667_F3BC_C909
        for value in values { s = Self.mix(s ^ value &+ Self.increment) }
        state = s
    }

    /// One 64-bit value derived from several (a seed and the indices naming a purpose).
    public static func derive(_ values: UInt64...) -> UInt64 {
        var s: UInt64 = 0x6A09_E667_F3BC_C909
        for value in values { s = mix(s ^ value &+ increment) }
        return mix(s &+ increment)
    }

    /// The SplitMix64 finalizer: a bijective mix of all 64 bits.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// A number in `0 ..< bound` (bound > 0) by the multiply-high method: no loop, a bias
    /// below `bound / 2^64`, and the same result on every machine.
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `[0, 1)` with 53 bits of precision.
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
