/// A bottom-k MinHash sketch (KMV) of the non-zero merge groups a guest shares with others:
/// the k smallest hashes of its groups, from which the overlap of two guests is estimated.
///
/// Why a sketch: pairwise overlaps counted exactly cost the square of the number of guests
/// holding each content (a kernel page held by 1,000 guests is half a million pairs); sketches
/// cost k per pair whatever the sharing, and k = 256 estimates a Jaccard index within about
/// ±0.03. A guest with at most k shared groups is sketched whole, so its overlaps are exact.
/// Unlike Memory Buddies' Bloom filters, KMV estimates the size of an intersection directly.
struct GuestSketch: Sendable {
    /// The smallest hashes, ascending.
    let hashes: [UInt64]
    /// How many groups were sketched.
    let size: Int

    /// Hashes per sketch.
    static let k = 256

    /// Sketches the non-zero shared groups of guest `guest`.
    init(profiles: GuestProfiles, guest: Int, k: Int = GuestSketch.k) {
        let groups = profiles.groups[guest].filter { !profiles.sharedIsZero[Int($0)] }
        size = groups.count
        var hashes = groups.map { Self.mix(UInt64($0)) }
        if hashes.count > 4 * k {
            // Hashes are uniform: keep those under a bar that lets about 4k through, then sort.
            let bar = UInt64.max / UInt64(hashes.count) * UInt64(4 * k)
            let kept = hashes.filter { $0 <= bar }
            if kept.count >= k { hashes = kept }
        }
        hashes.sort()
        self.hashes = Array(hashes.prefix(k))
    }

    /// Whether the sketch holds every group (at most k), so overlaps with another whole sketch
    /// are exact.
    var isWhole: Bool { hashes.count == size }

    /// Estimated groups both guests hold: the Jaccard index J from the k smallest hashes of the
    /// union, then `J / (1 + J) × (|A| + |B|)`; exact when both sketches are whole.
    func overlap(_ other: GuestSketch) -> Double {
        let whole = isWhole && other.isWhole
        var i = 0
        var j = 0
        var taken = 0
        var both = 0
        while whole || taken < Self.k {
            let a = i < hashes.count ? hashes[i] : UInt64.max
            let b = j < other.hashes.count ? other.hashes[j] : UInt64.max
            if i == hashes.count && j == other.hashes.count { break }
            if a == b {
                both += 1
                i += 1
                j += 1
            } else if a < b {
                i += 1
            } else {
                j += 1
            }
            taken += 1
        }
        if whole { return Double(both) }
        guard taken > 0 else { return 0 }
        let jaccard = Double(both) / Double(taken)
        return jaccard / (1 + jaccard) * Double(size + other.size)
    }

    /// SplitMix64's finalizer: group numbers to uniform hashes.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
