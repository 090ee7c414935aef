#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker's share of pass one of the fingerprint engine: zero and unreadable pages per
/// image, and the records of every partition, kept in memory or appended to the worker's
/// partition files once a buffer fills.
struct PartitionSink: FingerprintSink, Sendable {
    /// Zero pages per image.
    var zeroPages: [Int]
    /// Unreadable pages per image.
    var unreadablePages: [Int]
    /// Records not yet written, per partition.
    let buffers: PartitionBuffers
    /// The first write error.
    var failure: PartitionError?

    private let worker: Int
    private let partitions: Int
    private let workspace: TemporaryWorkspace?
    private let bufferCapacity: Int
    private let job: (index: Int, count: Int)?
    private var descriptors: [Int32]

    /// Creates a sink; with a `workspace` full buffers are spilled to it, else each buffer
    /// starts with room for `expectedRecords` (its share of the pass's estimate).
    init(
        worker: Int, images: Int, partitions: Int, workspace: TemporaryWorkspace?, bufferCapacity: Int,
        expectedRecords: Int = 0, job: (index: Int, count: Int)?
    ) {
        self.worker = worker
        self.partitions = partitions
        self.workspace = workspace
        self.bufferCapacity = bufferCapacity
        self.job = job
        zeroPages = Array(repeating: 0, count: images)
        unreadablePages = zeroPages
        buffers = PartitionBuffers(count: partitions, capacity: workspace == nil ? expectedRecords : bufferCapacity)
        descriptors = Array(repeating: -1, count: partitions)
    }

    /// The file worker `worker` writes partition `partition` to.
    static func fileName(worker: Int, partition: Int) -> String { "w\(worker)-p\(partition).spill" }

    mutating func zeros(_ pages: Range<Int>, image: Int) { zeroPages[image] += pages.count }

    mutating func unreadable(_ count: Int, image: Int) { unreadablePages[image] += count }

    @inline(__always)
    mutating func page(_ page: Int, image: Int, fingerprint: PageFingerprint) {
        if let job, fingerprint.jobPartition(of: job.count) != job.index { return }
        let partition = partitions == 1 ? 0 : fingerprint.partition(of: partitions)
        let held = buffers.append(SpillRecord(fingerprint: fingerprint, image: UInt32(image), count: 1), to: partition)
        if workspace != nil, held >= bufferCapacity { spill(partition) }
    }

    /// Writes what is left in the buffers (spilling sinks only) and closes the files.
    mutating func finish() {
        guard workspace != nil else { return }
        for partition in 0..<partitions where buffers.records(partition).count > 0 { spill(partition) }
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
        descriptors = Array(repeating: -1, count: partitions)
    }

    /// Folds the buffer of `partition` and appends it to the worker's file.
    private mutating func spill(_ partition: Int) {
        guard failure == nil, let workspace else {
            buffers.removeAll(partition)
            return
        }
        let sorted = buffers.sortedAndFolded(partition)
        let path = workspace.file(Self.fileName(worker: worker, partition: partition))
        defer { buffers.removeAll(partition) }
        do {
            if descriptors[partition] < 0 { descriptors[partition] = try RecordFile.openForAppending(path) }
            try RecordFile.append(UnsafeRawBufferPointer(sorted), to: descriptors[partition], path: path, workspace: workspace)
        } catch {
            failure = error
        }
    }
}
