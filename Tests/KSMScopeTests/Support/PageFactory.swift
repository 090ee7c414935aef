/// Deterministic page contents for tests: every key gives its own bytes, and a key's variants
/// differ from it in exactly one byte.
struct PageFactory {
    let pageSize: Int

    /// The bytes of content `key` (key 0 is the all-zero page).
    func page(_ key: UInt64) -> [UInt8] {
        guard key != 0 else { return Array(repeating: 0, count: pageSize) }
        var state = key &* 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8](repeating: 0, count: pageSize)
        for index in stride(from: 0, to: pageSize, by: 8) {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            for offset in 0..<8 { bytes[index + offset] = UInt8(truncatingIfNeeded: mixed >> (8 * offset)) }
        }
        return bytes
    }

    /// Content `key` with one byte at `offset` changed: a near-duplicate.
    func nearDuplicate(of key: UInt64, at offset: Int) -> [UInt8] {
        var bytes = page(key)
        bytes[offset] &+= 1
        return bytes
    }

    /// Concatenates pages into one image.
    func image(_ pages: [[UInt8]]) -> [UInt8] { pages.flatMap { $0 } }
}

/// A small deterministic generator for shuffling test layouts.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
