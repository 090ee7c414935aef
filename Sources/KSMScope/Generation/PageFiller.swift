/// Writes the bytes of a ``PageContent`` into a page buffer, fast and the same on every machine.
///
/// A non-zero page is its key (little-endian) in the first eight bytes followed by a SplitMix64
/// stream seeded from the key and the generation seed: one 64-bit word a step, so filling runs
/// at several GB/s a core. Variants take their base content's stream and then relocate a few
/// words (``PageContent/VariantStyle/pointers``) or rotate the body
/// (``PageContent/VariantStyle/offset``).
public struct PageFiller: Sendable {
    /// The page size in bytes (a multiple of 8, at least 512).
    public let pageSize: Int
    /// The generation seed, mixed into every page body.
    public let seed: UInt64
    /// Mixed from the seed once.
    private let salt: UInt64

    /// Words of a variant relocated in ``PageContent/VariantStyle/pointers`` style.
    static let relocatedWords = 8

    /// Creates a filler for pages of `pageSize` bytes.
    public init(pageSize: Int, seed: UInt64) {
        precondition(pageSize >= 512 && pageSize % 8 == 0)
        self.pageSize = pageSize
        self.seed = seed
        salt = SplitMix64.mix(seed ^ 0xC2B2_AE3D_27D4_EB4F)
    }

    /// Fills `pageSize` bytes at `page` (8-byte aligned) with `content`.
    @inline(__always)
    public func fill(_ page: UnsafeMutableRawPointer, with content: PageContent) {
        guard let key = content.key, let base = content.baseKey else {
            page.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
            return
        }
        let words = pageSize / 8
        var state = SplitMix64.mix(base.rawValue ^ salt)
        if content.layout == 0 || content.style == .pointers {
            Self.stream(into: page, from: 1, to: words, state: &state)
        } else {
            // Offset style: the same body, starting `shift` words further on (wrapping).
            let body = words - 1
            let shift = Int(content.layout % UInt64(body - 1)) + 1
            Self.stream(into: page, from: 1 + shift, to: words, state: &state)
            Self.stream(into: page, from: 1, to: 1 + shift, state: &state)
        }
        if content.layout != 0 && content.style == .pointers {
            // A relocation table common to all layouts of this base content: the same word
            // positions move by a load offset that depends on the layout.
            var positions = SplitMix64(seed: base.rawValue ^ salt ^ 0x5851_F42D_4C95_7F2D)
            let delta = (SplitMix64.mix(content.layout) | 1) << 12
            for _ in 0..<Self.relocatedWords {
                let offset = (1 + positions.below(words - 1)) * 8
                let word = UInt64(littleEndian: page.load(fromByteOffset: offset, as: UInt64.self))
                page.storeBytes(of: (word &+ delta).littleEndian, toByteOffset: offset, as: UInt64.self)
            }
        }
        page.storeBytes(of: key.rawValue.littleEndian, as: UInt64.self)
    }

    /// Stores the stream's next words at word positions `from ..< to`.
    @inline(__always)
    private static func stream(into page: UnsafeMutableRawPointer, from: Int, to: Int, state: inout UInt64) {
        var s = state
        var offset = from * 8
        let end = to * 8
        while offset < end {
            s &+= SplitMix64.increment
            page.storeBytes(of: SplitMix64.mix(s).littleEndian, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        state = s
    }
}
