import CPageHash
import CXXHash

/// The 128-bit identity of a page's content when pages are not compared byte for byte: out of
/// core, and whenever fingerprint files are inputs.
///
/// Two independent 64-bit hashes of the page: XXH64 with seed 0 (its low 32 bits are the
/// kernel's KSM checksum, which `simulate` needs) and XXH3-64 with the seed ``xxh3Seed``. Two
/// pages are taken as one content when both are equal. Treating the pair as a random 128-bit
/// function, `n` distinct contents hold a false merge with probability below `n² / 2^129`
/// (2^32 distinct pages, 16 TiB of unique 4 KiB pages: below 2^-65). Neither hash resists a
/// deliberate collision; byte verification (the in-memory engine) does.
public struct PageFingerprint: Hashable, Sendable, Comparable, BitwiseCopyable {
    /// XXH64 of the page, seed 0.
    public var xxh64: UInt64
    /// XXH3-64 of the page, seed ``xxh3Seed``.
    public var xxh3: UInt64

    /// The seed of the second hash: "ksmscope" in ASCII.
    public static let xxh3Seed: UInt64 = 0x6B73_6D73_636F_7065

    /// Creates a fingerprint from its two hashes.
    public init(xxh64: UInt64, xxh3: UInt64) {
        self.xxh64 = xxh64
        self.xxh3 = xxh3
    }

    /// Fingerprints one page.
    @inline(__always)
    public init(page: UnsafeRawBufferPointer) {
        self.init(xxh64: XXH64(page.baseAddress, page.count, 0), page: page)
    }

    /// Fingerprints one page whose XXH64 is known (pages hashed together in a ``PageBatch``).
    @inline(__always)
    init(xxh64: UInt64, page: UnsafeRawBufferPointer) {
        self.xxh64 = xxh64
        // libxxhash's XXH3, with AVX2 where the CPU has it.
        xxh3 = ksmscope_xxh3_64(page.baseAddress, page.count, Self.xxh3Seed)
    }

    /// The kernel's KSM checksum of the page (`calc_checksum()`): the low 32 bits of XXH64.
    public var checksum: UInt32 { UInt32(truncatingIfNeeded: xxh64) }

    /// Whether the content falls in the sampled slice of the hash space: XXH64 at most
    /// 2^64 / `every`. Slices nest: the slice of a larger `every` lies inside a smaller one's.
    @inline(__always)
    public func isSampled(every: Int) -> Bool { Self.isSampled(xxh64: xxh64, every: every) }

    /// Whether a page whose XXH64 is `xxh64` falls in the slice of ``isSampled(every:)``.
    @inline(__always)
    static func isSampled(xxh64: UInt64, every: Int) -> Bool { every <= 1 || xxh64 <= UInt64.max / UInt64(every) }

    /// The hash-range partition (of `count`) the content belongs to, by the top bits of XXH3.
    @inline(__always)
    public func partition(of count: Int) -> Int {
        // Swift's shifts bind tighter than multiplication: the parentheses are needed.
        Int(truncatingIfNeeded: ((xxh3 >> 32) &* UInt64(count)) >> 32)
    }

    /// The partition (of `count`) for distributed jobs, by the low bits of XXH3, independent of
    /// ``partition(of:)`` so that a job can split its share again.
    @inline(__always)
    public func jobPartition(of count: Int) -> Int {
        Int(truncatingIfNeeded: ((xxh3 & 0xFFFF_FFFF) &* UInt64(count)) >> 32)
    }

    public static func < (a: PageFingerprint, b: PageFingerprint) -> Bool {
        a.xxh64 != b.xxh64 ? a.xxh64 < b.xxh64 : a.xxh3 < b.xxh3
    }
}
