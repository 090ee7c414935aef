#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The plan's steady state in bounded memory, through the fingerprint engine's partitions.
///
/// 1. One pass over the guests (``FingerprintWalk``: each input read once, front to back, in
///    1 MiB chunks; fingerprint files hand over their records) sums the zero pages
///    (``GuestZeroPages``) and turns every other (sampled) page into a 24-byte ``PlanRecord`` of
///    the hash-range partition its content belongs to. While the records fit in 3/8 of
///    ``ScanConfiguration/memoryLimit`` they stay in memory; otherwise full buffers are
///    appended to partition files in a private folder under
///    ``ScanConfiguration/temporaryDirectory``.
/// 2. Partition by partition (one per worker at a time, each at most 3/8 of the limit over
///    the workers, sorting taking as much again), the records are sorted by content, guest and
///    page; each run of one content is folded into a ``PlanTally``. Every content lies in one
///    partition, so the partitions' tallies add up to the whole.
/// 3. With huge-page regions, a second pass over the sorted partitions (kept in memory, or
///    written back sorted) counts the trade-off once every region's merged pages are known.
///
/// Contents are told apart by their 128-bit ``PageFingerprint``. The folder is removed when
/// the plan ends, fails, or is interrupted.
struct PlanPartitions: Sendable {
    /// Threads, memory limit, temporary folder, sample, partitions asked for.
    let configuration: ScanConfiguration
    /// What the tally counts.
    let setup: PlanTally.Setup

    /// What a run found.
    struct Outcome: Sendable {
        /// Both passes' tally, the zero pages included.
        var tally: PlanTally
        /// Partitions used.
        var partitions: Int
        /// Whether they were spilled to files.
        var spilled: Bool
    }

    /// Reads `guests` (one input each, in order: images, dumps, live processes, fingerprint
    /// files) and folds them.
    func run(_ guests: [any PageSource], progress: ProgressCounter? = nil) throws -> Outcome {
        let setup = setup
        let workers = max(1, configuration.threads)
        let estimate = FingerprintScan.estimatedRecords(guests, sample: configuration.sample)
        // As the engine: records take at most 3/8 of the limit, sorting a partition as much again.
        let budget = max(4096, configuration.memoryLimit / 8 * 3)
        let spill = configuration.partitions != nil || estimate * PlanRecord.size > budget
        let partitions =
            configuration.partitions
            ?? (spill ? max(2, (estimate * PlanRecord.size + budget / workers - 1) / (budget / workers)) : workers)
        let workspace = spill ? try TemporaryWorkspace(in: configuration.temporaryDirectory) : nil
        defer { workspace?.close() }
        let bufferCapacity = max(1024, min(1 << 16, budget / 4 / (partitions * workers) / PlanRecord.size))
        @Sendable func sink(_ worker: Int) -> PlanSink {
            PlanSink(worker: worker, setup: setup, partitions: partitions, workspace: workspace, bufferCapacity: bufferCapacity)
        }

        // Pass one over the inputs: images on every worker, fingerprint files placed in order.
        let walk = FingerprintWalk(inputs: guests, configuration: configuration, rateLimiter: nil, progress: progress)
        var sinks = try walk.run(walk.chunks().filter { !(guests[$0.image] is FingerprintImage) }, workers: workers) {
            sink($0)
        }
        var files = sink(workers)
        for (guest, input) in guests.enumerated() {
            guard let file = input as? FingerprintImage else { continue }
            try files.read(file, guest: guest, every: configuration.sample.every)
            progress?.advance(by: file.pageCount)
        }
        sinks.append(files)
        for index in sinks.indices { sinks[index].finish() }
        if let failure = sinks.compactMap(\.failure).first { throw failure }
        var zero = sinks[0].zero
        for other in sinks.dropFirst() { zero.merge(other.zero) }

        // Pass two, partition by partition; the sorted partitions are kept for the trade-off.
        let memory = Mutex(sinks.map(\.buffers))
        let sinkCount = sinks.count
        sinks = []
        let sorted = Mutex([[PlanRecord]?](repeating: nil, count: partitions))
        var tally = try PlanTally.folding(units: partitions, workers: workers, setup: setup) { tally, partition in
            let parts = memory.withLock { buffers in
                (0..<sinkCount).map { worker in
                    defer { buffers[worker][partition] = [] }
                    return buffers[worker][partition]
                }
            }
            var records = try Self.gather(parts: parts, partition: partition, workers: sinkCount, workspace: workspace)
            records.sort(by: PlanRecord.precedes)
            Self.forEachContent(records) { tally.add($0) }
            guard setup.regions else { return }
            if let workspace {
                let path = workspace.file(Self.sortedName(partition))
                let descriptor = try RecordFile.openForAppending(path)
                defer { close(descriptor) }
                try records.withUnsafeBytes { try RecordFile.append($0, to: descriptor, path: path, workspace: workspace) }
            } else {
                sorted.withLock { $0[partition] = records }
            }
        }
        tally.addZero(zero)
        if setup.regions {
            let qualifying = tally.qualifyingRegions()
            var tradeoff = try PlanTally.folding(units: partitions, workers: workers, setup: setup) { tally, partition in
                let kept = sorted.withLock { kept in
                    defer { kept[partition] = nil }
                    return kept[partition]
                }
                let records: [PlanRecord]
                if let kept {
                    records = kept
                } else if let workspace {
                    let path = workspace.file(Self.sortedName(partition))
                    records = try Self.load(path)
                    unlink(path)
                } else {
                    records = []
                }
                Self.forEachContent(records) { tally.addTradeoff($0, qualifying: qualifying) }
            }
            tradeoff.addTradeoffZero(zero, qualifying: qualifying)
            tally.merge(tradeoff)
        }
        return Outcome(tally: tally, partitions: partitions, spilled: spill)
    }

    /// The file a partition is written back to, sorted, for the second pass.
    private static func sortedName(_ partition: Int) -> String { "plan-p\(partition).sorted" }

    /// A partition's records: the workers' buffers, then their files (removed once read).
    private static func gather(
        parts: [[PlanRecord]], partition: Int, workers: Int, workspace: TemporaryWorkspace?
    ) throws -> [PlanRecord] {
        var records = parts.flatMap { $0 }
        guard let workspace else { return records }
        for worker in 0..<workers {
            let path = workspace.file(PlanSink.fileName(worker: worker, partition: partition))
            guard RecordFile.records(in: path, size: PlanRecord.size) > 0 else { continue }
            records += try load(path)
            unlink(path)
        }
        return records
    }

    /// The records of the file at `path`.
    private static func load(_ path: String) throws -> [PlanRecord] {
        let count = RecordFile.records(in: path, size: PlanRecord.size)
        return try [PlanRecord](unsafeUninitializedCapacity: count) { buffer, initialized in
            try RecordFile.load(path, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Calls `body` with each content's copies, in scan order, from records sorted by
    /// ``PlanRecord/precedes(_:_:)``.
    private static func forEachContent(_ records: [PlanRecord], _ body: (UnsafeBufferPointer<PlanTally.Copy>) -> Void) {
        var copies: [PlanTally.Copy] = []
        var start = 0
        while start < records.count {
            copies.removeAll(keepingCapacity: true)
            var end = start
            while end < records.count, records[end].fingerprint == records[start].fingerprint {
                copies.append(records[end].copy)
                end += 1
            }
            copies.withUnsafeBufferPointer(body)
            start = end
        }
    }
}
