#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker's share of the bounded plan's pass over the guests: their zero pages summed, and
/// every other (sampled) page's ``PlanRecord`` in the hash-range partition of its content, kept
/// in memory or appended to the worker's partition files once a buffer fills.
struct PlanSink: FingerprintSink, Sendable {
    /// The guests' zero pages.
    var zero: GuestZeroPages
    /// Records not yet written, per partition.
    var buffers: [[PlanRecord]]
    /// The first write error.
    var failure: PartitionError?

    private let worker: Int
    private let partitions: Int
    private let workspace: TemporaryWorkspace?
    private let bufferCapacity: Int
    private var descriptors: [Int32]

    /// Creates a sink; with a `workspace` full buffers are spilled to it.
    init(worker: Int, setup: PlanTally.Setup, partitions: Int, workspace: TemporaryWorkspace?, bufferCapacity: Int) {
        self.worker = worker
        self.partitions = partitions
        self.workspace = workspace
        self.bufferCapacity = bufferCapacity
        zero = GuestZeroPages(setup: setup)
        buffers = Array(repeating: [], count: partitions)
        descriptors = Array(repeating: -1, count: partitions)
    }

    /// The file worker `worker` writes partition `partition` to.
    static func fileName(worker: Int, partition: Int) -> String { "plan-w\(worker)-p\(partition).spill" }

    mutating func zeros(_ pages: Range<Int>, image: Int) { zero.add(pages, guest: image) }

    /// Plans read every page (no `--keep-going`), so no page is unreadable.
    mutating func unreadable(_ count: Int, image: Int) {}

    @inline(__always)
    mutating func page(_ page: Int, image: Int, fingerprint: PageFingerprint) {
        let partition = partitions == 1 ? 0 : fingerprint.partition(of: partitions)
        let place = page < 0 ? PlanTally.Copy.unknownPage : UInt32(page)
        buffers[partition].append(PlanRecord(fingerprint: fingerprint, copy: .init(guest: UInt32(image), page: place)))
        if workspace != nil, buffers[partition].count >= bufferCapacity { spill(partition) }
    }

    /// Reads fingerprint file `file`, guest `guest`: its zero runs, and its records (those in
    /// the slice of `every`) placed on their pages; a sampled file's records cannot be placed.
    ///
    /// - Throws: ``FingerprintError/noPageOrder(path:reason:)`` for a file with unreadable pages.
    mutating func read(_ file: FingerprintImage, guest: Int, every: Int) throws {
        if file.header.unreadablePages > 0 {
            throw FingerprintError.noPageOrder(path: file.path, reason: "\(file.header.unreadablePages) unreadable pages")
        }
        for run in file.zeroRuns { zeros(run, image: guest) }
        if file.header.sampleEvery == 1 {
            try file.forEachPlacedRecord { page, fingerprint in
                if fingerprint.isSampled(every: every) { self.page(page, image: guest, fingerprint: fingerprint) }
            }
        } else {
            for fingerprint in file.records where fingerprint.isSampled(every: every) {
                page(-1, image: guest, fingerprint: fingerprint)
            }
        }
        file.file.releaseCache()
    }

    /// Writes what is left in the buffers (spilling sinks only) and closes the files.
    mutating func finish() {
        guard workspace != nil else { return }
        for partition in 0..<partitions where !buffers[partition].isEmpty { spill(partition) }
        for descriptor in descriptors where descriptor >= 0 { close(descriptor) }
        descriptors = Array(repeating: -1, count: partitions)
    }

    /// Appends the buffer of `partition` to the worker's file.
    private mutating func spill(_ partition: Int) {
        defer { buffers[partition].removeAll(keepingCapacity: true) }
        guard failure == nil, let workspace else { return }
        let path = workspace.file(Self.fileName(worker: worker, partition: partition))
        do {
            if descriptors[partition] < 0 { descriptors[partition] = try RecordFile.openForAppending(path) }
            let descriptor = descriptors[partition]
            try buffers[partition].withUnsafeBytes { try RecordFile.append($0, to: descriptor, path: path, workspace: workspace) }
        } catch let error as PartitionError {
            failure = error
        } catch {
            failure = .cannotWrite(path: path, reason: "\(error)")
        }
    }
}
