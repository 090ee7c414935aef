/// The pages of a set of guests split into merge groups under a ``MergePolicy``: two pages are
/// in one group exactly when the policy lets KSM merge them (same content, and same guest for
/// `intra_image`, same domain for `domain`; `zero_only` groups only all-zero pages).
///
/// Every saving a plan reports is a fold of group sizes through
/// ``KSMTunables/savedPages(copies:isZero:)``, so groups carry no rule of their own.
public struct MergeGroups: Sendable {
    /// Where every image of the content map is in the global page numbering.
    public let layout: ImageLayout
    /// The map's images that are the guests, in scan order (one image per guest).
    public let guestImages: [Int]
    /// Each global page's group, or ``MergeGroups/never`` for a page that merges with nothing
    /// (and for pages of images that are not guests).
    public let groupOfPage: [UInt32]
    /// Whether each group's content is all zero bytes.
    public let isZero: [Bool]
    /// The policy the groups follow.
    public let policy: MergePolicy

    /// The group of a page the policy never merges.
    public static let never = UInt32.max

    /// The number of groups.
    public var groupCount: Int { isZero.count }
    /// The number of guests.
    public var guestCount: Int { guestImages.count }

    /// Groups the pages of `guestImages` (images of `contents`, one per guest) under `policy`.
    ///
    /// - Parameter domains: each guest's domain index, for ``MergePolicy/domain`` (ignored
    ///   otherwise; required then).
    public init(contents: ContentMap, guestImages: [Int], policy: MergePolicy, domains: [Int]? = nil) {
        layout = contents.layout
        self.guestImages = guestImages
        self.policy = policy
        switch policy {
        case .all:
            groupOfPage = contents.contentOfPage
            isZero = contents.isZero
        case .zeroOnly:
            var groups = [UInt32](repeating: Self.never, count: contents.layout.totalPages)
            for image in guestImages {
                for page in contents.layout.pages(of: image) where contents.isZero[Int(contents.contentOfPage[page])] {
                    groups[page] = 0
                }
            }
            groupOfPage = groups
            isZero = [true]
        case .intraImage, .domain:
            // A new group the first time a content is met in each guest (or domain). Guests are
            // visited one after another, so for intra_image the content's last owner suffices;
            // domains interleave, so they need a table.
            var groups = [UInt32](repeating: Self.never, count: contents.layout.totalPages)
            var zero: [Bool] = []
            var lastOwner = [Int32](repeating: -1, count: contents.contentCount)
            var groupOfContent = [UInt32](repeating: 0, count: contents.contentCount)
            var table: [UInt64: UInt32] = [:]
            let domainCount = UInt64((domains?.max() ?? 0) + 1)
            for (guest, image) in guestImages.enumerated() {
                for page in contents.layout.pages(of: image) {
                    let content = Int(contents.contentOfPage[page])
                    if policy == .intraImage {
                        if lastOwner[content] != Int32(guest) {
                            lastOwner[content] = Int32(guest)
                            groupOfContent[content] = UInt32(zero.count)
                            zero.append(contents.isZero[content])
                        }
                        groups[page] = groupOfContent[content]
                    } else {
                        let key = UInt64(content) * domainCount + UInt64(domains?[guest] ?? guest)
                        if let known = table[key] {
                            groups[page] = known
                        } else {
                            table[key] = UInt32(zero.count)
                            groups[page] = UInt32(zero.count)
                            zero.append(contents.isZero[content])
                        }
                    }
                }
            }
            groupOfPage = groups
            isZero = zero
        }
    }

    /// The global pages of guest `guest`.
    public func pages(ofGuest guest: Int) -> Range<Int> { layout.pages(of: guestImages[guest]) }

    /// The page count of guest `guest`.
    public func pageCount(ofGuest guest: Int) -> Int { pages(ofGuest: guest).count }
}
