#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Synchronization

/// One sequential pass over the inputs that fingerprints every page, on all workers: the first
/// phase of the fingerprint engine and of `ksmscope fingerprint`.
///
/// Each input is cut into chunks of about 1 MiB taken in order by whichever worker is free,
/// so the files are read front to back (the C reference's pattern). Raw images are read with
/// `pread` (through their mapping, without a copy, when they were in the page cache), their
/// holes counted as zero pages without reading; what was read is dropped from the page cache
/// behind the pass unless the file was cached before. Dumps and live processes
/// go through their readers. Fingerprint files hand over their records.
struct FingerprintWalk: Sendable {
    /// The inputs, in scan order.
    let inputs: [any PageSource]
    /// How pages are read.
    let configuration: ScanConfiguration
    /// Caps the read rate, if set.
    var rateLimiter: RateLimiter?
    /// Advanced by one per page.
    var progress: ProgressCounter?

    /// Pages in a chunk.
    var chunkPages: Int { max(1, (1 << 20) / configuration.pageSize.bytes) }
    /// Records of a fingerprint file in a chunk.
    static let chunkRecords = 1 << 16

    /// One unit of work.
    struct Chunk: Sendable {
        /// The input.
        var image: Int
        /// Pages of an image, or record indices of a fingerprint file.
        var range: Range<Int>
        /// The bytes of the input's file the chunk reads, released behind the pass; empty for
        /// inputs read through a reader (dumps, live processes), released when they are done.
        var bytes: Range<Int> = 0..<0
    }

    /// The chunks of every input, in order.
    func chunks() -> [Chunk] {
        var chunks: [Chunk] = []
        let pageSize = configuration.pageSize.bytes
        for (index, input) in inputs.enumerated() {
            if let fingerprint = input as? FingerprintImage {
                // The zero runs and unreadable count travel with the first chunk.
                let records = fingerprint.header.records
                var start = 0
                repeat {
                    let range = start..<min(records, start + Self.chunkRecords)
                    let offset = fingerprint.header.size
                    let bytes = (offset + range.lowerBound * FingerprintFile.recordSize)..<(offset + range.upperBound * FingerprintFile.recordSize)
                    chunks.append(Chunk(image: index, range: range, bytes: bytes))
                    start += Self.chunkRecords
                } while start < records
            } else {
                let isRaw = input is RawImage
                var start = 0
                while start < input.pageCount {
                    let range = start..<min(input.pageCount, start + chunkPages)
                    let bytes = isRaw ? (range.lowerBound * pageSize)..<(range.upperBound * pageSize) : 0..<0
                    chunks.append(Chunk(image: index, range: range, bytes: bytes))
                    start += chunkPages
                }
            }
        }
        return chunks
    }

    /// Runs `chunks` on `workers` workers, each with its own sink from `make`; returns the sinks.
    func run<S: FingerprintSink & Sendable>(_ chunks: [Chunk], workers: Int, make: @Sendable (Int) -> S) throws -> [S] {
        let results = Mutex<[S?]>(Array(repeating: nil, count: workers))
        try pass(chunks, workers: workers) { worker, claim in
            var sink = make(worker)
            while try claim(&sink) != nil {}
            results.withLock { $0[worker] = sink }
        }
        return results.withLock { $0.map { $0! } }
    }

    /// Runs each of `chunks` into its own sink from `make`, on `workers` workers that take the
    /// chunks in order, and hands the sinks to `deliver` in chunk order, one at a time: a sink
    /// finished ahead of an earlier chunk waits for it (what waits is the chunks a slow worker
    /// holds up, a few KiB each).
    func runInOrder<S: FingerprintSink & Sendable>(
        _ chunks: [Chunk], workers: Int, make: @Sendable () -> S, deliver: @Sendable (S) throws -> Void
    ) throws {
        let order = Mutex<(next: Int, waiting: [Int: S])>((0, [:]))
        try pass(chunks, workers: workers) { _, claim in
            while true {
                var sink = make()
                guard let index = try claim(&sink) else { return }
                try order.withLock { order in
                    order.waiting[index] = sink
                    while let ready = order.waiting.removeValue(forKey: order.next) {
                        order.next += 1
                        try deliver(ready)
                    }
                }
            }
        }
    }

    /// The workers' loop: each calls `work` with its index and a function that reads the next
    /// chunk in order into a sink and returns its index (nil when none is left or the pass
    /// stops). What the pass is done with is released behind it (``ReleaseFrontier``).
    private func pass<S: FingerprintSink>(
        _ chunks: [Chunk], workers: Int,
        work: @Sendable (_ worker: Int, _ claim: (inout S) throws -> Int?) throws -> Void
    ) throws {
        let next = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let stop = Atomic<Bool>(false)
        let frontier = Mutex(ReleaseFrontier(chunks: chunks))
        let walk = self
        let shared = chunks
        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { worker in
            var reader = ChunkReader(walk: walk)
            defer { reader.release() }
            do {
                try work(worker) { sink in
                    guard !stop.load(ordering: .relaxed) else { return nil }
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < shared.count else { return nil }
                    try reader.read(shared[index], into: &sink)
                    for release in frontier.withLock({ $0.finish(index) }) {
                        let input = walk.inputs[release.image]
                        input.mappedFile?.releaseCache(bytes: release.bytes)
                        if release.isLast {
                            try input.checkIntact()
                            input.mappedFile?.releaseCache()
                        }
                    }
                    return index
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
                stop.store(true, ordering: .relaxed)
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

/// One worker's reading state: a buffer for `pread`, readers for dumps.
struct ChunkReader: ~Copyable {
    let walk: FingerprintWalk
    private var readers: [Int: any PageReader] = [:]
    private let buffer: UnsafeMutableRawBufferPointer
    private let zero: UnsafeMutableRawBufferPointer
    private let pageSize: Int
    private let every: Int
    /// Non-zero pages of the current chunk waiting to be fingerprinted together.
    private var batch: PageBatch

    init(walk: FingerprintWalk) {
        self.walk = walk
        pageSize = walk.configuration.pageSize.bytes
        every = walk.configuration.sample.every
        batch = PageBatch(pageSize: pageSize)
        buffer = .allocate(byteCount: walk.chunkPages * pageSize, alignment: 4096)
        zero = .allocate(byteCount: pageSize, alignment: 64)
        zero.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// Frees the buffers (the reader is not used afterwards).
    func release() {
        buffer.deallocate()
        zero.deallocate()
    }

    mutating func read<S: FingerprintSink>(_ chunk: FingerprintWalk.Chunk, into sink: inout S) throws {
        let input = walk.inputs[chunk.image]
        if let fingerprint = input as? FingerprintImage {
            readFingerprints(fingerprint, chunk: chunk, into: &sink)
        } else if let raw = input as? RawImage {
            try readRaw(raw, chunk: chunk, into: &sink)
        } else {
            try readPages(input, chunk: chunk, into: &sink)
        }
        walk.progress?.advance(by: input is FingerprintImage ? 0 : chunk.range.count)
    }

    private func readFingerprints<S: FingerprintSink>(
        _ file: FingerprintImage, chunk: FingerprintWalk.Chunk, into sink: inout S
    ) {
        if chunk.range.lowerBound == 0 {
            for run in file.zeroRuns { sink.zeros(run, image: chunk.image) }
            if file.header.unreadablePages > 0 { sink.unreadable(file.header.unreadablePages, image: chunk.image) }
            walk.progress?.advance(by: file.pageCount - file.header.records)
        }
        let records = file.records
        for index in chunk.range {
            let fingerprint = records[index]
            if fingerprint.isSampled(every: every) { sink.page(-1, image: chunk.image, fingerprint: fingerprint) }
        }
        walk.progress?.advance(by: chunk.range.count)
    }

    /// `pread` of the chunk's data, skipping holes.
    private mutating func readRaw<S: FingerprintSink>(
        _ image: RawImage, chunk: FingerprintWalk.Chunk, into sink: inout S
    ) throws {
        var page = chunk.range.lowerBound
        let holes = image.zeroPageRuns
        var hole = holes.firstIndex { $0.upperBound > page } ?? holes.count
        while page < chunk.range.upperBound {
            if hole < holes.count, holes[hole].lowerBound <= page {
                let end = min(chunk.range.upperBound, holes[hole].upperBound)
                sink.zeros(page..<end, image: chunk.image)
                page = end
                hole += 1
                continue
            }
            let end = min(chunk.range.upperBound, hole < holes.count ? holes[hole].lowerBound : chunk.range.upperBound)
            let bytes = (end - page) * pageSize
            // A file in the page cache is read through its mapping (no copy; a truncation is
            // caught by the fault guard); any other with pread, which no truncation can fault.
            let data: UnsafeRawPointer
            if image.file.wasCached {
                data = image.file.bytes.baseAddress! + page * pageSize
            } else {
                try image.file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes]), at: page * pageSize)
                data = UnsafeRawPointer(buffer.baseAddress!)
            }
            walk.rateLimiter?.consume(bytes)
            for index in 0..<(end - page) {
                visit(UnsafeRawBufferPointer(start: data + index * pageSize, count: pageSize),
                      page: page + index, image: chunk.image, stable: true, into: &sink)
            }
            // Before the buffer is read into again.
            fingerprintBatch(image: chunk.image, into: &sink)
            page = end
        }
    }

    private mutating func readPages<S: FingerprintSink>(
        _ input: any PageSource, chunk: FingerprintWalk.Chunk, into sink: inout S
    ) throws {
        let reader: any PageReader
        if let known = readers[chunk.image] {
            reader = known
        } else {
            reader = try input.makeReader()
            readers[chunk.image] = reader
        }
        for page in chunk.range {
            let bytes: UnsafeRawBufferPointer
            do {
                bytes = try reader.page(page)
            } catch let error as DumpError where walk.configuration.keepGoing && error.skippable {
                sink.unreadable(1, image: chunk.image)
                continue
            }
            walk.rateLimiter?.consume(pageSize)
            // A reader may reuse its buffer for the next page: the batch copies it.
            visit(bytes, page: page, image: chunk.image, stable: false, into: &sink)
        }
        fingerprintBatch(image: chunk.image, into: &sink)
    }

    /// Counts a zero page, or adds the page to the batch (fingerprinted when it fills).
    @inline(__always)
    private mutating func visit<S: FingerprintSink>(
        _ bytes: UnsafeRawBufferPointer, page: Int, image: Int, stable: Bool, into sink: inout S
    ) {
        if PageAccess.equal(bytes, UnsafeRawBufferPointer(zero)) {
            sink.zeros(page..<(page + 1), image: image)
            return
        }
        batch.append(bytes, page: page, stable: stable)
        if batch.isFull { fingerprintBatch(image: image, into: &sink) }
    }

    /// Fingerprints the batch's pages (XXH64 of all together, then XXH3 of the sampled ones)
    /// and hands them to the sink in page order.
    private mutating func fingerprintBatch<S: FingerprintSink>(image: Int, into sink: inout S) {
        guard batch.count > 0 else { return }
        batch.hash(with: .xxh64)
        for index in 0..<batch.count where PageFingerprint.isSampled(xxh64: batch.hash(index), every: every) {
            let fingerprint = PageFingerprint(xxh64: batch.hash(index), page: batch.bytes(index))
            sink.page(batch.page(index), image: image, fingerprint: fingerprint)
        }
        batch.removeAll()
    }
}
