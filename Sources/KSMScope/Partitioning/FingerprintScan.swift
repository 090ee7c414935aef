#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Foundation
import Synchronization

/// The fingerprint engine: any number of pages in bounded memory, each input read once and
/// front to back, contents told apart by their 128-bit ``PageFingerprint``.
///
/// 1. One pass over the inputs (``FingerprintWalk``) counts zero pages and turns every other
///    (sampled) page into a 24-byte ``SpillRecord`` of the hash-range partition its content
///    belongs to. While the records fit in ``ScanConfiguration/memoryLimit`` they stay in
///    memory; otherwise each worker's full buffers are folded and appended to partition files
///    in a private folder under ``ScanConfiguration/temporaryDirectory``.
/// 2. Partition by partition (one per worker at a time), the records are sorted by content and
///    image; each run of one content is folded into a ``SteadyStateTally`` with its copies per
///    image in scan order, so the leftover copy falls in the last image holding the content,
///    exactly as in the byte-verified engine.
///
/// The temporary folder is removed when the scan ends, fails, or is interrupted.
public struct FingerprintScan: Sendable {
    /// Page size, threads, memory limit, temporary folder, sampling.
    public var configuration: ScanConfiguration
    /// The tunables to predict for.
    public var tunables: KSMTunables
    /// Each image's domain, if the domain policy is asked for.
    public var domains: MergeDomains?

    /// Creates an engine.
    public init(configuration: ScanConfiguration, tunables: KSMTunables, domains: MergeDomains? = nil) {
        self.configuration = configuration
        self.tunables = tunables
        self.domains = domains
    }

    /// What a run folds.
    public struct Outcome: Sendable {
        /// The tally of every content.
        public var tally: SteadyStateTally
        /// Unreadable pages per image.
        public var unreadablePages: [Int]
        /// The sample rate in effect (the coarsest of the option and the inputs).
        public var sample: SampleRate
        /// Partitions used (1 when the records stayed in memory).
        public var partitions: Int
        /// Whether partitions were spilled to files.
        public var spilled: Bool
    }

    /// The sample rate in effect for `inputs`: the coarsest of the configuration's and of the
    /// sampled fingerprint files' (slices nest, so coarser samples are subsets).
    public func sample(for inputs: [any PageSource]) -> SampleRate {
        let every = inputs.compactMap { ($0 as? FingerprintImage)?.header.sampleEvery }.reduce(configuration.sample.every, max)
        return SampleRate(uncheckedEvery: every)
    }

    /// Scans `inputs` (images, dumps, live processes, fingerprint files, in scan order).
    public func run(_ inputs: [any PageSource], progress: ProgressCounter? = nil) throws -> Outcome {
        try run(inputs, job: nil, progress: progress)
    }

    /// Runs partition job `index` of `count`: only contents of that hash range (and, in job 0,
    /// the zero pages). The jobs' tallies merged give ``run(_:progress:)``'s.
    ///
    /// - Throws: ``PartitionError/badPartition(index:count:)`` for an index not below `count`.
    public func runJob(index: Int, of count: Int, inputs: [any PageSource], progress: ProgressCounter? = nil) throws
        -> Outcome
    {
        guard count >= 1, index >= 0, index < count else { throw PartitionError.badPartition(index: index, count: count) }
        return try run(inputs, job: (index, count), progress: progress)
    }

    private func run(_ inputs: [any PageSource], job: (index: Int, count: Int)?, progress: ProgressCounter?) throws
        -> Outcome
    {
        var configuration = configuration
        configuration.sample = sample(for: inputs)
        let workers = max(1, configuration.threads)
        let estimate = Self.estimatedRecords(inputs, sample: configuration.sample) / (job?.count ?? 1)
        // Records take at most 3/8 of the limit; sorting a partition takes up to as much again
        // (the standard library's sort allocates a buffer), the rest is the process itself.
        let budget = max(4096, configuration.memoryLimit / 8 * 3)
        let spill = configuration.partitions != nil || estimate * SpillRecord.size > budget
        // In memory, partitions of about 2,048 records (48 KiB): each is gathered, sorted and
        // folded in a core's cache, and the workers share many of them evenly.
        let partitions =
            configuration.partitions
            ?? (spill
                ? max(2, (estimate * SpillRecord.size + budget / workers - 1) / (budget / workers))
                : max(workers, min(4096, estimate / 2048)))
        let workspace = spill ? try TemporaryWorkspace(in: configuration.temporaryDirectory) : nil
        defer { workspace?.close() }
        let bufferCapacity = max(1024, min(1 << 16, budget / 4 / (partitions * workers) / SpillRecord.size))
        let walk = FingerprintWalk(
            inputs: inputs, configuration: configuration, rateLimiter: nil, progress: progress)
        let imageCount = inputs.count
        var sinks = try walk.run(walk.chunks(), workers: workers) { worker in
            PartitionSink(
                worker: worker, images: imageCount, partitions: partitions, workspace: workspace,
                bufferCapacity: bufferCapacity,
                // Workers share the chunks about evenly: an eighth more than an even share.
                expectedRecords: estimate / (partitions * workers) / 8 * 9 + 16, job: job)
        }
        for index in sinks.indices { sinks[index].finish() }
        if let failure = sinks.compactMap(\.failure).first { throw failure }

        var tally = SteadyStateTally(tunables: tunables, imageCount: imageCount, domains: domains)
        if job?.index ?? 0 == 0 {
            var zeros: [ContentGroup.ImageShare] = []
            for image in 0..<imageCount {
                let count = sinks.reduce(0) { $0 + $1.zeroPages[image] }
                if count > 0 { zeros.append(.init(image: image, count: count)) }
            }
            tally.add(zeros, isZero: true)
        }
        let unreadable = (0..<imageCount).map { image in sinks.reduce(0) { $0 + $1.unreadablePages[image] } }
        let folded = try fold(sinks: sinks, partitions: partitions, workspace: workspace, workers: workers)
        tally.merge(folded)
        return Outcome(
            tally: tally, unreadablePages: unreadable, sample: configuration.sample, partitions: partitions,
            spilled: spill)
    }

    /// Phase two: every partition sorted and folded into tallies, one partition per worker at
    /// a time.
    private func fold(sinks: [PartitionSink], partitions: Int, workspace: TemporaryWorkspace?, workers: Int) throws
        -> SteadyStateTally
    {
        let tunables = tunables
        let domains = domains
        let imageCount = sinks.first?.zeroPages.count ?? 0
        let next = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let results = Mutex<[SteadyStateTally]>([])
        let memory = sinks.map(\.buffers)
        let workerCount = sinks.count
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var tally = SteadyStateTally(tunables: tunables, imageCount: imageCount, domains: domains)
            var shares: [ContentGroup.ImageShare] = []
            var singles = SingleImageContents(imageCount: imageCount)
            while true {
                let partition = next.add(1, ordering: .relaxed).oldValue
                guard partition < partitions else { break }
                // Gather the partition: the workers' buffers (only this worker folds it), then
                // their files.
                let parts = memory.map { UnsafeBufferPointer($0.records(partition)) }
                defer { for buffers in memory { buffers.release(partition) } }
                var files: [(path: String, records: Int)] = []
                if let workspace {
                    for worker in 0..<workerCount {
                        let path = workspace.file(PartitionSink.fileName(worker: worker, partition: partition))
                        let records = RecordFile.records(in: path, size: SpillRecord.size)
                        if records > 0 { files.append((path, records)) }
                    }
                }
                let total = parts.reduce(0) { $0 + $1.count } + files.reduce(0) { $0 + $1.records }
                guard total > 0 else { continue }
                let records = UnsafeMutableBufferPointer<SpillRecord>.allocate(capacity: total)
                defer { records.deallocate() }
                let kept: Int
                do {
                    kept = try Self.sortedPartition(parts: parts, files: files, into: records)
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    return
                }
                // Each run of one content, its records in image order (an image's copies in
                // one record or several).
                var start = 0
                while start < kept {
                    let first = records[start]
                    var end = start + 1
                    var copies = Int(first.count)
                    var singleImage = true
                    while end < kept, records[end].isSameContent(as: first) {
                        copies += Int(records[end].count)
                        singleImage = singleImage && records[end].image == first.image
                        end += 1
                    }
                    if singleImage {
                        singles.add(image: Int(first.image), copies: copies, to: &tally)
                    } else {
                        shares.removeAll(keepingCapacity: true)
                        for record in records[start..<end] {
                            if shares.last?.image == Int(record.image) {
                                shares[shares.count - 1].count += Int(record.count)
                            } else {
                                shares.append(.init(image: Int(record.image), count: Int(record.count)))
                            }
                        }
                        tally.add(shares, isZero: false)
                    }
                    start = end
                }
            }
            singles.fold(into: &tally)
            results.withLock { $0.append(tally) }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var merged = SteadyStateTally(tunables: tunables, imageCount: imageCount, domains: domains)
        for part in results.withLock({ $0 }) { merged.merge(part) }
        return merged
    }

    /// Gathers a partition's records (the workers' buffers, or their files) into `records`,
    /// sorted by content and image (a file's records folded, each content's copies in one image
    /// in one record); returns how many records there are.
    private static func sortedPartition(
        parts: [UnsafeBufferPointer<SpillRecord>], files: [(path: String, records: Int)],
        into records: UnsafeMutableBufferPointer<SpillRecord>
    ) throws -> Int {
        var records = records
        if files.isEmpty {
            // In memory: sorted as the buffers are copied (a spilling pass leaves none).
            HashBucketSort.sort(copying: parts, into: records)
            return records.count
        }
        var filled = 0
        for part in parts {
            _ = UnsafeMutableBufferPointer(rebasing: records[filled..<(filled + part.count)]).initialize(from: part)
            filled += part.count
        }
        for file in files {
            try RecordFile.load(file.path, into: UnsafeMutableRawBufferPointer(
                UnsafeMutableBufferPointer(rebasing: records[filled..<(filled + file.records)])))
            filled += file.records
            unlink(file.path)
        }
        return records.sortAndFold()
    }

    /// An upper bound of the records `inputs` leave: their pages that may be non-zero, over the
    /// sample rate (sampling keeps about 1 in N).
    static func estimatedRecords(_ inputs: [any PageSource], sample: SampleRate) -> Int {
        var total = 0
        for input in inputs {
            if let fingerprint = input as? FingerprintImage {
                total += fingerprint.header.records / max(1, sample.every / fingerprint.header.sampleEvery)
            } else {
                let holes = input.zeroPageRuns.reduce(0) { $0 + $1.count }
                total += (input.pageCount - holes) / sample.every
            }
        }
        // Sampling is by hash: allow for chance above the mean.
        return sample.every > 1 ? total + total / 8 + 1024 : total
    }
}
