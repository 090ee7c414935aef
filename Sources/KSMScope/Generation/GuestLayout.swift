/// Where every page of one generated guest comes from: an ordered list of segments (kernel
/// text, kernel data, libraries, page cache, anonymous memory, free memory), each a run of
/// indices into one content pool, optionally scattered over physical memory.
///
/// *Logical* pages are numbered segment after segment; *physical* pages are the image's page
/// numbers. With ``interleaves`` the logical runs of ``runPages`` pages are placed by a
/// ``PagePermutation``, as in a guest whose memory has been allocated and freed for a while.
public struct GuestLayout: Sendable {
    /// One run of logical pages whose contents come from one pool.
    public struct Segment: Sendable, Equatable {
        /// What the pages stand for.
        public var category: PageCategory
        /// The pool number; 0 for all-zero pages.
        public var pool: Int
        /// The first pool index used.
        public var lower: Int
        /// How many consecutive pool indices are used.
        public var indices: Int
        /// How many pages hold each index (2 or more for duplicated contents).
        public var repeats: Int
        /// For ASLR variants: the pool whose contents these pages relocate; else 0.
        public var basePool: Int
        /// For ASLR variants: how the bytes differ from the base.
        public var style: PageContent.VariantStyle

        /// Pages in the segment.
        public var pages: Int { indices * repeats }

        /// The content of the segment's page at `offset` (copies of one index are spread
        /// `indices` pages apart).
        @inline(__always)
        func content(at offset: Int) -> PageContent {
            guard pool != 0 else { return .zero }
            let index = lower + offset % indices
            let key = ContentKey(pool: pool, index: index)
            guard basePool != 0 else { return .plain(key) }
            return .variant(
                key, of: ContentKey(pool: basePool, index: index), layout: SplitMix64.mix(UInt64(pool)), style: style)
        }
    }

    /// Pages per interleaving run (64 KiB with 4 KiB pages).
    public static let runPages = 16

    /// The guest's name, `TYPE-N`.
    public let name: String
    /// The guest type's name.
    public let typeName: String
    /// The guest type's position in the spec's fleet.
    public let typeIndex: Int
    /// The guest's position in the whole fleet (spec order).
    public let index: Int
    /// Pages in the image.
    public let pageCount: Int
    /// The segments in logical order; their pages add up to ``pageCount``.
    public let segments: [Segment]
    /// Page writes per second (already scaled) and their parameters, if the type churns.
    public let churn: FleetSpec.Churn?
    /// The logical page each segment starts at.
    private let starts: [Int]
    /// Places logical runs on physical runs, when interleaving.
    private let runs: PagePermutation?

    /// Lays out `segments` over `pageCount` pages.
    init(
        name: String, typeName: String, typeIndex: Int, index: Int, segments: [Segment], churn: FleetSpec.Churn?,
        interleaveKey: UInt64?
    ) {
        self.name = name
        self.typeName = typeName
        self.typeIndex = typeIndex
        self.index = index
        self.segments = segments.filter { $0.pages > 0 }
        var starts: [Int] = []
        var total = 0
        for segment in self.segments {
            starts.append(total)
            total += segment.pages
        }
        self.starts = starts
        self.pageCount = total
        self.churn = churn
        let fullRuns = total / Self.runPages
        runs = interleaveKey.flatMap { fullRuns > 1 ? PagePermutation(count: fullRuns, key: $0) : nil }
    }

    /// Whether regions are scattered over physical memory.
    public var interleaves: Bool { runs != nil }

    /// The logical page stored at physical page `page`.
    @inline(__always)
    public func logical(_ page: Int) -> Int {
        guard let runs, page < runs.count * Self.runPages else { return page }
        return runs.forward(page / Self.runPages) * Self.runPages + page % Self.runPages
    }

    /// The physical page that stores logical page `page`.
    public func physical(_ page: Int) -> Int {
        guard let runs, page < runs.count * Self.runPages else { return page }
        return runs.inverse(page / Self.runPages) * Self.runPages + page % Self.runPages
    }

    /// The segment holding logical page `page`.
    @inline(__always)
    public func segmentIndex(logical page: Int) -> Int {
        var low = 0
        var high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= page { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The logical page segment `index` starts at.
    public func start(ofSegment index: Int) -> Int { starts[index] }

    /// The base content (before any churn) of physical page `page`.
    @inline(__always)
    public func content(physical page: Int) -> PageContent {
        let logicalPage = logical(page)
        let segment = segmentIndex(logical: logicalPage)
        return segments[segment].content(at: logicalPage - starts[segment])
    }

    /// The category of physical page `page` before any churn.
    public func category(physical page: Int) -> PageCategory {
        segments[segmentIndex(logical: logical(page))].category
    }

    /// Pages per category before any churn.
    public var categoryPages: [PageCategory: Int] {
        segments.reduce(into: [:]) { $0[$1.category, default: 0] += $1.pages }
    }
}
