/// All pages of the scanned images that hold one content, as the scanner hands them on.
///
/// The scanner proves every group byte for byte: two pages are in one group exactly when
/// their bytes are equal, as the kernel's `memcmp_pages()` decides.
public struct ContentGroup: Sendable {
    /// Whether the content is all zero bytes.
    public var isZero = false
    /// How many pages hold the content.
    public var count = 0
    /// The global index of the last page, in scan order, that holds the content.
    public var lastPage = 0
    /// How many of the pages each image holds: only images that hold some, in image order.
    public var perImage: [ImageShare] = []
    /// The global indices of the pages, ascending; empty for the all-zero group, whose pages
    /// are only counted.
    public var pages: [UInt32] = []
    /// The pages' hash under the scan's hash function (for the zero group: the zero page's).
    public var hash: UInt64 = 0

    /// Creates an empty group.
    public init() {}

    /// The pages of one content inside one image.
    public struct ImageShare: Sendable, Equatable {
        /// The image's index in input order.
        public var image: Int
        /// How many of the image's pages hold the content.
        public var count: Int

        public init(image: Int, count: Int) {
            self.image = image
            self.count = count
        }
    }
}

/// Something that folds content groups into results, one instance per worker thread.
public protocol ContentGroupAccumulator: Sendable {
    /// Folds in one content group.
    mutating func add(_ group: ContentGroup)
    /// Folds in what another worker's instance accumulated.
    mutating func merge(_ other: Self)
}
