/// Splits runs of equal-hash page records into groups of byte-identical pages and hands each
/// group to an accumulator: the byte verification behind every count the scan reports.
///
/// Pages proven identical during hashing are placed without being read again. The others are
/// compared with the representative of each content already found in the run. A run that turns
/// out to hold many different contents under one hash (only a crafted or weak hash does that)
/// is sorted by bytes instead, so hostile input costs O(n log n) comparisons, not O(n²).
struct ContentGrouper {
    private var access: PageAccess
    private let layout: ImageLayout
    private var group = ContentGroup()
    /// The first page of each content found in the current run.
    private var representatives: [Int] = []
    /// Unproven pages of the run and their content, in page order (so searchable).
    private var unprovenContent: [(page: UInt32, content: Int)] = []
    /// The content of each record of the run.
    private var contentOf: [Int] = []

    /// More distinct contents than this under one hash switch a run to sorting by bytes.
    static let contentsBeforeSorting = 16

    init(images: [any PageSource], layout: ImageLayout) {
        access = PageAccess(images: images, layout: layout)
        self.layout = layout
    }

    /// Groups every run in `records` (sorted by hash, then page; runs not split) into `sink`.
    mutating func group<A: ContentGroupAccumulator>(
        _ records: UnsafeMutableBufferPointer<PageRecord>, into sink: inout A
    ) throws {
        var start = 0
        while start < records.count {
            var end = start + 1
            while end < records.count, records[end].hash == records[start].hash { end += 1 }
            group.hash = records[start].hash
            if end - start == 1 {
                emit(pages: CollectionOfOne(Int(records[start].page)), into: &sink)
            } else {
                try groupRun(UnsafeMutableBufferPointer(rebasing: records[start..<end]), into: &sink)
            }
            start = end
        }
    }

    private mutating func groupRun<A: ContentGroupAccumulator>(
        _ run: UnsafeMutableBufferPointer<PageRecord>, into sink: inout A
    ) throws {
        representatives.removeAll(keepingCapacity: true)
        unprovenContent.removeAll(keepingCapacity: true)
        contentOf.removeAll(keepingCapacity: true)
        for record in run {
            if record.proof != PageRecord.unproven, let content = provenContent(of: record.proof) {
                contentOf.append(content)
                continue
            }
            let bytes = try access.page(Int(record.page))
            var content = -1
            for (index, representative) in representatives.enumerated()
            where try access.bytes(bytes, equalPage: representative) {
                content = index
                break
            }
            if content < 0 {
                guard representatives.count < Self.contentsBeforeSorting else {
                    return try groupBySorting(run, into: &sink)
                }
                representatives.append(Int(record.page))
                content = representatives.count - 1
            }
            unprovenContent.append((record.page, content))
            contentOf.append(content)
        }
        if representatives.count == 1 {
            emit(pages: run.lazy.map { Int($0.page) }, into: &sink)
            return
        }
        for content in representatives.indices {
            let pages = zip(run, contentOf).lazy.filter { $0.1 == content }.map { Int($0.0.page) }
            emit(pages: pages, into: &sink)
        }
    }

    /// The content of an unproven page of this run, found by binary search.
    private func provenContent(of page: UInt32) -> Int? {
        var low = 0
        var high = unprovenContent.count
        while low < high {
            let middle = (low + high) / 2
            if unprovenContent[middle].page < page { low = middle + 1 } else { high = middle }
        }
        guard low < unprovenContent.count, unprovenContent[low].page == page else { return nil }
        return unprovenContent[low].content
    }

    /// The fallback for runs of many contents: order the run by bytes, then by page.
    private mutating func groupBySorting<A: ContentGroupAccumulator>(
        _ run: UnsafeMutableBufferPointer<PageRecord>, into sink: inout A
    ) throws {
        var run = run
        try run.sort { a, b in
            let order = try access.compare(page: Int(a.page), page: Int(b.page))
            return order != 0 ? order < 0 : a.page < b.page
        }
        var start = 0
        while start < run.count {
            var end = start + 1
            while end < run.count, try access.compare(page: Int(run[start].page), page: Int(run[end].page)) == 0 {
                end += 1
            }
            emit(pages: run[start..<end].lazy.map { Int($0.page) }, into: &sink)
            start = end
        }
    }

    /// Hands one content's pages (ascending global indices) to the accumulator.
    private mutating func emit<A: ContentGroupAccumulator, S: Sequence<Int>>(pages: S, into sink: inout A) {
        group.perImage.removeAll(keepingCapacity: true)
        group.pages.removeAll(keepingCapacity: true)
        group.count = 0
        var imageEnd = 0
        for page in pages {
            if page >= imageEnd || group.perImage.isEmpty {
                let image = layout.image(containing: page)
                imageEnd = layout.starts[image + 1]
                group.perImage.append(.init(image: image, count: 0))
            }
            group.perImage[group.perImage.count - 1].count += 1
            group.pages.append(UInt32(page))
            group.count += 1
            group.lastPage = page
        }
        sink.add(group)
    }
}
