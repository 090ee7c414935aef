/// What one generated page holds: all zero bytes, or the content named by a ``ContentKey``.
///
/// A content may be an ASLR-like *variant* of another: the same bytes as its base content with
/// a few pointer-sized words relocated, or shifted to another in-page offset. Its own key still
/// sits in the first eight bytes, so a variant never equals its base or another variant.
public struct PageContent: Hashable, Sendable {
    /// How a variant's bytes differ from its base content's.
    public enum VariantStyle: String, Sendable, Hashable, CaseIterable {
        /// A few eight-byte words hold relocated pointers (the base word plus a load offset).
        case pointers
        /// The whole body is the base body rotated to another in-page offset.
        case offset
    }

    /// The content's key; nil for the all-zero page.
    public let key: ContentKey?
    /// The key whose byte stream the body is made of (the base of a variant, else ``key``).
    let baseKey: ContentKey?
    /// For variants: the layout the content was relocated for (never zero); else 0.
    let layout: UInt64
    /// For variants: how the bytes differ from the base.
    let style: VariantStyle

    /// The all-zero page.
    public static let zero = PageContent(key: nil, baseKey: nil, layout: 0, style: .pointers)

    /// A content of its own.
    public static func plain(_ key: ContentKey) -> PageContent {
        PageContent(key: key, baseKey: key, layout: 0, style: .pointers)
    }

    /// A near-identical variant of `base`, relocated for `layout` (non-zero).
    public static func variant(_ key: ContentKey, of base: ContentKey, layout: UInt64, style: VariantStyle)
        -> PageContent
    {
        PageContent(key: key, baseKey: base, layout: layout | 1, style: style)
    }

    /// Whether this is the all-zero page.
    public var isZero: Bool { key == nil }

    // Identity is the key alone: the other fields follow from it by construction.
    public static func == (lhs: PageContent, rhs: PageContent) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
}
