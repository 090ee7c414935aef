#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Synchronization

/// Finds every group of byte-identical pages in a set of images, on all cores.
///
/// The scan has three phases:
/// 1. Workers take their share of the pages. All-zero pages are found by a compare and only
///    counted. Every other page is hashed (XXH64 by default, 16 pages at a time in a
///    ``PageBatch``) and leaves a ``PageRecord``; while
///    it is hot in cache the worker compares it with the last page seen with the same hash,
///    which proves most duplicates without a second read.
/// 2. The records are sorted by hash in place (``HashBucketSort``).
/// 3. Workers split the sorted runs into byte-identical groups (``ContentGrouper``) and fold them
///    into per-worker accumulators, which are merged at the end.
///
/// Memory: 16 bytes a scanned page for the records, plus the recent-content tables
/// (``ScanConfiguration/recentContentBudget``) and a few bytes per image. Page contents are
/// never stored.
public struct PageScanner: Sendable {
    /// How pages are read and fingerprinted.
    public let configuration: ScanConfiguration

    /// Creates a scanner.
    public init(configuration: ScanConfiguration = .init()) {
        self.configuration = configuration
    }

    /// What a scan returns: the merged accumulator and the pages that could not be read.
    public struct Outcome<A: ContentGroupAccumulator> {
        /// Every content group folded in.
        public var accumulator: A
        /// Pages left out per image (in input order) because their reader reported a skippable
        /// ``DumpError`` and ``ScanConfiguration/keepGoing`` was set.
        public var unreadablePages: [Int]
    }

    /// Scans `images` and folds every content group into accumulators made by `make`.
    ///
    /// - Parameters:
    ///   - images: the images, in scan order; all must use the configured page size.
    ///   - progress: advanced by one for every page hashed.
    ///   - make: makes one empty accumulator per worker.
    /// - Returns: the merged accumulator and the count of unreadable pages per image.
    /// - Throws: ``ImageError`` for too many pages, or whatever a page reader throws.
    public func scan<A: ContentGroupAccumulator>(
        _ images: [any PageSource],
        progress: ProgressCounter? = nil,
        accumulator make: @Sendable () -> A
    ) throws -> Outcome<A> {
        let layout = ImageLayout(pageCounts: images.map(\.pageCount))
        let total = layout.totalPages
        guard total <= PageRecord.maximumPages else {
            throw ImageError.tooManyPages(total: total, limit: PageRecord.maximumPages)
        }
        let workers = max(1, min(configuration.threads, total / 16))
        defer { for image in images { image.mappedFile?.releaseCache() } }
        let holes = KnownZeroPages(images: images, layout: layout)
        // Holes of sparse files leave no records: room for the other pages only.
        let records = UnsafeMutableBufferPointer<PageRecord>.allocate(capacity: max(1, total - holes.total))
        defer { records.deallocate() }
        let zero = UnsafeMutableRawBufferPointer.allocate(byteCount: configuration.pageSize.bytes, alignment: 64)
        defer { zero.deallocate() }
        zero.initializeMemory(as: UInt8.self, repeating: 0)
        let zeroPage = UnsafeRawBufferPointer(zero)

        let hashed = try hashPages(
            images, layout: layout, holes: holes, into: records, zeroPage: zeroPage, workers: workers,
            progress: progress)
        for image in images { try image.checkIntact() }
        // Close the gaps the workers' zero pages left between their record segments.
        var count = 0
        for part in hashed {
            if part.start != count, part.records > 0 {
                (records.baseAddress! + count).update(from: records.baseAddress! + part.start, count: part.records)
            }
            count += part.records
        }
        let sorted = UnsafeMutableBufferPointer(rebasing: records[0..<count])
        HashBucketSort.sort(sorted, workers: workers)

        var result = try groupContents(sorted, images: images, layout: layout, workers: workers, make: make)
        for image in images { try image.checkIntact() }
        var zeroGroup = hashed.reduce(into: ContentGroup()) { group, part in group.absorbZeros(of: part) }
        zeroGroup.hash = configuration.hash(zeroPage)
        if zeroGroup.count > 0 { result.add(zeroGroup) }
        var unreadable = Array(repeating: 0, count: images.count)
        for part in hashed { for share in part.unreadablePages { unreadable[share.image] += share.count } }
        return Outcome(accumulator: result, unreadablePages: unreadable)
    }

    /// What one worker of phase one leaves behind.
    struct HashedShare: Sendable {
        /// Where its records start.
        var start: Int
        /// How many records it wrote.
        var records = 0
        /// Zero pages per image, for the images it covered.
        var zeroPages: [ContentGroup.ImageShare] = []
        /// The last zero page it saw, or -1.
        var lastZero = -1
        /// Pages left out because they could not be read (with keep-going).
        var unreadablePages: [ContentGroup.ImageShare] = []
    }

    private func hashPages(
        _ images: [any PageSource], layout: ImageLayout, holes: KnownZeroPages,
        into records: UnsafeMutableBufferPointer<PageRecord>,
        zeroPage: UnsafeRawBufferPointer, workers: Int, progress: ProgressCounter?
    ) throws -> [HashedShare] {
        let total = layout.totalPages
        let hash = configuration.hash
        let keepGoing = configuration.keepGoing
        // Content-based sampling: only hashes in the lowest 1/N of the range leave records.
        let sampleLimit = UInt64.max / UInt64(configuration.sample.every)
        let perWorkerCache = max(1024, min(2 * (total / workers + 1), configuration.recentContentBudget / 8 / workers))
        let results = Mutex<[HashedShare?]>(Array(repeating: nil, count: workers))
        let failure = Mutex<(any Error)?>(nil)
        let stop = Atomic<Bool>(false)
        nonisolated(unsafe) let output = records
        nonisolated(unsafe) let zero = zeroPage

        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = total * worker / workers
            let upper = total * (worker + 1) / workers
            var share = HashedShare(start: lower - holes.pages(before: lower))
            var cache = RecentContentCache(capacity: perWorkerCache)
            var access = PageAccess(images: images, layout: layout)
            var pending = 0
            var hole = holes.firstRun(endingAfter: lower)
            var batch = PageBatch(pageSize: zero.count)
            // Hashes the batch's pages together, then, in page order, keeps the sampled ones
            // and proves each against the last page seen with its hash while it is still hot.
            func record(_ batch: inout PageBatch) throws {
                guard batch.count > 0 else { return }
                batch.hash(with: hash)
                for index in 0..<batch.count {
                    let digest = batch.hash(index)
                    guard digest <= sampleLimit else { continue }
                    let page = batch.page(index)
                    let bytes = batch.bytes(index)
                    let proof = try cache.prove(hash: digest, page: UInt32(page)) { earlier in
                        try access.bytes(bytes, equalPage: Int(earlier))
                    }
                    output[share.start + share.records] = PageRecord(hash: digest, page: UInt32(page), proof: proof)
                    share.records += 1
                }
                batch.removeAll()
            }
            do {
                var page = lower
                while page < upper {
                    if stop.load(ordering: .relaxed) { return }
                    let image = layout.image(containing: page)
                    let end = min(upper, layout.starts[image + 1])
                    while page < end {
                        // A hole of a sparse file: zero pages, counted without reading them.
                        while hole < holes.runs.count, holes.runs[hole].upperBound <= page { hole += 1 }
                        if hole < holes.runs.count, holes.runs[hole].lowerBound <= page {
                            let runEnd = min(end, holes.runs[hole].upperBound)
                            share.countZeros(pages: page..<runEnd, image: image)
                            progress?.advance(by: runEnd - page)
                            page = runEnd
                            continue
                        }
                        let bytes: UnsafeRawBufferPointer
                        do {
                            bytes = try access.page(page - layout.starts[image], ofImage: image)
                        } catch let error as DumpError where keepGoing && error.skippable {
                            share.unreadablePages.tally(image: image)
                            page += 1
                            continue
                        }
                        // The compare comes first: it fails within a few bytes on most non-zero
                        // pages and spares all-zero pages the hash.
                        if PageAccess.equal(bytes, zero) {
                            share.countZero(page: page, image: image)
                        } else {
                            batch.append(bytes, page: page, stable: access.keepsPages(ofImage: image))
                            if batch.isFull { try record(&batch) }
                        }
                        page += 1
                        pending += 1
                        if pending == 4096 {
                            progress?.advance(by: pending)
                            pending = 0
                            // A truncated file reads as zeros from the fault on: stop early.
                            try images[image].checkIntact()
                        }
                    }
                }
                try record(&batch)
                progress?.advance(by: pending)
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
                stop.store(true, ordering: .relaxed)
                return
            }
            results.withLock { $0[worker] = share }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0.map { $0! } }
    }

    private func groupContents<A: ContentGroupAccumulator>(
        _ records: UnsafeMutableBufferPointer<PageRecord>, images: [any PageSource], layout: ImageLayout,
        workers: Int, make: @Sendable () -> A
    ) throws -> A {
        // Cut the sorted records into one stretch per worker, never inside a run of one hash.
        var cuts = [0]
        for worker in 1..<max(1, workers) {
            var cut = max(cuts[cuts.count - 1], records.count * worker / workers)
            while cut > 0, cut < records.count, records[cut].hash == records[cut - 1].hash { cut += 1 }
            cuts.append(min(cut, records.count))
        }
        cuts.append(records.count)
        let stretches = cuts
        let results = Mutex<[A?]>(Array(repeating: nil, count: workers))
        let failure = Mutex<(any Error)?>(nil)
        nonisolated(unsafe) let input = records

        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var sink = make()
            var grouper = ContentGrouper(images: images, layout: layout)
            do {
                let stretch = UnsafeMutableBufferPointer(rebasing: input[stretches[worker]..<stretches[worker + 1]])
                try grouper.group(stretch, into: &sink)
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
                return
            }
            results.withLock { $0[worker] = sink }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let parts = results.withLock { $0 }
        var merged = parts[0]!
        for part in parts.dropFirst() { merged.merge(part!) }
        return merged
    }
}

extension PageScanner.HashedShare {
    /// Counts one zero page.
    @inline(__always)
    mutating func countZero(page: Int, image: Int) {
        zeroPages.tally(image: image)
        lastZero = page
    }
}

extension PageScanner.HashedShare {
    /// Counts a run of zero pages of one image.
    mutating func countZeros(pages: Range<Int>, image: Int) {
        guard !pages.isEmpty else { return }
        zeroPages.tally(image: image, count: pages.count)
        lastZero = pages.upperBound - 1
    }
}

extension [ContentGroup.ImageShare] {
    /// Counts `count` more pages of `image`, which is this list's last image or a later one.
    @inline(__always)
    mutating func tally(image: Int, count pages: Int = 1) {
        if last?.image == image {
            self[count - 1].count += pages
        } else {
            append(.init(image: image, count: pages))
        }
    }
}

extension ContentGroup {
    /// Adds one worker's zero pages to the group of all zero pages (workers come in page order).
    mutating func absorbZeros(of share: PageScanner.HashedShare) {
        isZero = true
        for part in share.zeroPages {
            if perImage.last?.image == part.image {
                perImage[perImage.count - 1].count += part.count
            } else {
                perImage.append(part)
            }
            count += part.count
        }
        if share.lastZero >= 0 { lastPage = share.lastZero }
    }
}
