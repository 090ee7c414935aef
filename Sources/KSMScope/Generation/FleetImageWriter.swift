import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes a planned fleet to a folder: one raw image per guest (or per guest and snapshot),
/// `timeline.json` for timelines, and `expected.json`.
///
/// The set is built in a hidden folder beside the output folder and renamed into place only
/// when every file, `expected.json` last, is written; on failure the hidden folder is removed.
/// Pages are filled on all cores (``PageFiller``) in chunks, each worker `pwrite`-ing its own
/// buffer; all-zero pages are not written, so images are sparse files.
public struct FleetImageWriter: Sendable {
    /// Worker threads.
    public var threads: Int
    /// Pages a worker fills and writes at a time.
    public var chunkPages: Int
    /// Whether an existing, non-empty output folder is replaced.
    public var replaceExisting: Bool

    /// What was written.
    public struct Summary: Sendable {
        /// The output folder.
        public var directory: String
        /// Image files written.
        public var images: Int
        /// Bytes of all images (holes included).
        public var imageBytes: Int
        /// Bytes of non-zero pages actually written.
        public var writtenBytes: Int
        /// Seconds spent writing images.
        public var seconds: Double
        /// The contents of `expected.json`.
        public var expected: ExpectedFleet
    }

    /// Creates a writer; by default one worker per core, 256-page chunks, no replacing.
    public init(
        threads: Int = ProcessInfo.processInfo.activeProcessorCount, chunkPages: Int = 256,
        replaceExisting: Bool = false
    ) {
        self.threads = max(1, threads)
        self.chunkPages = max(1, chunkPages)
        self.replaceExisting = replaceExisting
    }

    /// Pages that ``write(plan:timeline:to:tunables:progress:)`` will report progress for.
    public static func progressTotal(plan: FleetPlan, timeline: ChurnTimeline) -> Int {
        plan.totalPages * (timeline.steps + 1)
    }

    /// Writes `plan` with the snapshots of `timeline` (none when `timeline.steps` is 0) into
    /// the folder `out`.
    ///
    /// - Parameters:
    ///   - tunables: the tunables `expected.json`'s KSM counters are for.
    ///   - progress: advanced by one for every page written to every file.
    /// - Throws: ``GenerationError`` when the output folder cannot be used, the disk is too
    ///   small, or writing fails; nothing is left behind then.
    public func write(
        plan: FleetPlan, timeline: ChurnTimeline, to out: String, tunables: KSMTunables = .defaults,
        progress: ProgressCounter? = nil
    ) throws(GenerationError) -> Summary {
        let target = Self.normalize(out)
        let parent = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent.isEmpty ? "." : parent, isDirectory: &isFolder),
            isFolder.boolValue
        else { throw .noParent(path: out) }
        let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isFolder)
        if exists {
            guard isFolder.boolValue else { throw .notAFolder(path: out) }
            let inside = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
            guard inside.isEmpty || replaceExisting else { throw .outputExists(path: out) }
        }

        let expected = ExpectedFleet(plan: plan, timeline: timeline, tunables: tunables)
        let needed = expected.sets.reduce(0) { $0 + ($1.pages - $1.zeroPages) * plan.pageSize } + (1 << 20)
        // The staging folder first: a folder nothing can be created in (/proc, a read-only
        // mount) is that, not a full disk.
        let staging = (parent.isEmpty ? "" : parent + "/") + ".\(base).partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        guard mkdir(staging, 0o755) == 0 else {
            throw .notWritable(path: parent.isEmpty ? "." : parent, reason: String(cString: strerror(errno)))
        }
        var space = statvfs()
        if statvfs(parent.isEmpty ? "." : parent, &space) == 0 {
            let available = Int(space.f_bavail) * Int(space.f_frsize)
            guard needed <= available else {
                rmdir(staging)
                throw .insufficientSpace(path: parent.isEmpty ? "." : parent, needed: needed, available: available)
            }
        }
        do throws(GenerationError) {
            let start = DispatchTime.now()
            var writtenPages = 0
            // Guests are written a batch at a time, all files of the batch open, with the chunks
            // of different guests interleaved: concurrent writes then go to different files and
            // do not queue on one file's lock.
            let batchSize = max(1, min(16, 256 / (timeline.steps + 1)))
            for first in stride(from: 0, to: plan.guests.count, by: batchSize) {
                let batch = Array(first..<min(first + batchSize, plan.guests.count))
                writtenPages += try writeBatch(
                    batch, plan: plan, timeline: timeline, folder: staging, progress: progress)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            if timeline.steps > 0 {
                let manifest = TimelineManifest(plan: plan, timeline: timeline)
                try Self.writeJSON(manifest, pretty: false, to: staging + "/timeline.json")
            }
            try Self.writeJSON(expected, pretty: true, to: staging + "/expected.json")
            try Self.moveIntoPlace(staging, target: target, replacing: exists)
            return Summary(
                directory: target, images: plan.guests.count * (timeline.steps + 1),
                imageBytes: plan.totalPages * plan.pageSize * (timeline.steps + 1),
                writtenBytes: writtenPages * plan.pageSize, seconds: seconds, expected: expected)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Writes every snapshot file of the guests `batch` (indices into the plan); returns the
    /// non-zero pages written.
    private func writeBatch(
        _ batch: [Int], plan: FleetPlan, timeline: ChurnTimeline, folder: String, progress: ProgressCounter?
    ) throws(GenerationError) -> Int {
        var descriptors: [[Int32]] = []
        var paths: [[String]] = []
        defer { for files in descriptors { for descriptor in files { close(descriptor) } } }
        for guestIndex in batch {
            let guest = plan.guests[guestIndex]
            var files: [Int32] = []
            let names = (0...timeline.steps).map { step in
                folder + "/" + FleetPlan.fileName(guest: guest.name, step: timeline.steps > 0 ? step : nil)
            }
            paths.append(names)
            for path in names {
                let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else {
                    descriptors.append(files)
                    throw Self.failure(path, "open")
                }
                files.append(descriptor)
                guard ftruncate(descriptor, off_t(guest.pageCount * plan.pageSize)) == 0 else {
                    descriptors.append(files)
                    throw Self.failure(path, "ftruncate")
                }
            }
            descriptors.append(files)
        }

        // Work items (position in batch, chunk), chunk-major so that neighbours differ in guest.
        let chunkPages = chunkPages
        let chunkCounts = batch.map { (plan.guests[$0].pageCount + chunkPages - 1) / chunkPages }
        var items: [(guest: Int, chunk: Int)] = []
        for chunk in 0..<(chunkCounts.max() ?? 0) {
            for position in batch.indices where chunk < chunkCounts[position] { items.append((position, chunk)) }
        }
        let work = items
        let pageSize = plan.pageSize
        let guests = batch.map { plan.guests[$0] }
        let steps = batch.map { timeline.guests[$0] }
        let files = descriptors
        let names = paths
        let filler = PageFiller(pageSize: pageSize, seed: plan.seed)
        let next = Atomic<Int>(0)
        let written = Atomic<Int>(0)
        let firstError = Mutex<GenerationError?>(nil)
        DispatchQueue.concurrentPerform(iterations: min(threads, work.count)) { _ in
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkPages * pageSize, alignment: 4096)
            defer { buffer.deallocate() }
            var zero = [Bool](repeating: false, count: chunkPages)
            var localWritten = 0
            while true {
                let item = next.add(1, ordering: .relaxed).oldValue
                guard item < work.count, firstError.withLock({ $0 == nil }) else { break }
                let (position, chunk) = work[item]
                let guest = guests[position]
                let first = chunk * chunkPages
                let count = min(chunkPages, guest.pageCount - first)
                for offset in 0..<count {
                    let content = guest.content(physical: first + offset)
                    filler.fill(buffer + offset * pageSize, with: content)
                    zero[offset] = content.isZero
                }
                do throws(GenerationError) {
                    localWritten += try Self.writeRuns(
                        buffer, zero: zero, count: count, first: first, pageSize: pageSize,
                        descriptor: files[position][0], path: names[position][0])
                    for (index, step) in steps[position].enumerated() {
                        var change = Self.firstChange(step.changes, atOrAfter: first)
                        while change < step.changes.count, step.changes[change].page < first + count {
                            let (page, content) = step.changes[change]
                            filler.fill(buffer + (page - first) * pageSize, with: content)
                            zero[page - first] = content.isZero
                            change += 1
                        }
                        localWritten += try Self.writeRuns(
                            buffer, zero: zero, count: count, first: first, pageSize: pageSize,
                            descriptor: files[position][index + 1], path: names[position][index + 1])
                    }
                } catch {
                    firstError.withLock { if $0 == nil { $0 = error } }
                    break
                }
                progress?.advance(by: count * (steps[position].count + 1))
            }
            written.add(localWritten, ordering: .relaxed)
        }
        if let error = firstError.withLock({ $0 }) { throw error }
        return written.load(ordering: .relaxed)
    }

    /// Writes the runs of non-zero pages of a filled chunk; returns the pages written.
    private static func writeRuns(
        _ buffer: UnsafeMutableRawPointer, zero: [Bool], count: Int, first: Int, pageSize: Int, descriptor: Int32,
        path: String
    ) throws(GenerationError) -> Int {
        var pages = 0
        var start = 0
        while start < count {
            guard !zero[start] else {
                start += 1
                continue
            }
            var end = start + 1
            while end < count, !zero[end] { end += 1 }
            var done = 0
            let length = (end - start) * pageSize
            while done < length {
                let result = pwrite(
                    descriptor, buffer + start * pageSize + done, length - done,
                    off_t((first + start) * pageSize + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, "write")
                }
                done += result
            }
            pages += end - start
            start = end
        }
        return pages
    }

    /// The first change at or after `page` in ascending `changes`.
    private static func firstChange(_ changes: [(page: Int, content: PageContent)], atOrAfter page: Int) -> Int {
        var low = 0
        var high = changes.count
        while low < high {
            let middle = (low + high) / 2
            if changes[middle].page < page { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Renames the finished staging folder to `target`, replacing what is there.
    private static func moveIntoPlace(_ staging: String, target: String, replacing: Bool) throws(GenerationError) {
        if replacing {
            let old = staging.replacingOccurrences(of: ".partial-", with: ".old-")
            guard rename(target, old) == 0 else { throw failure(target, "rename") }
            guard rename(staging, target) == 0 else {
                let error = failure(target, "rename")
                _ = rename(old, target)
                throw error
            }
            try? FileManager.default.removeItem(atPath: old)
        } else {
            guard rename(staging, target) == 0 else { throw failure(target, "rename") }
        }
    }

    /// Encodes `value` as JSON (sorted keys) into `path`.
    private static func writeJSON<T: Encodable>(_ value: T, pretty: Bool, to path: String) throws(GenerationError) {
        do {
            let text: String
            if pretty {
                text = try ReportJSON.encode(value)
            } else {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                text = String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
            }
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw .io(path: path, operation: "write", reason: "\(error)")
        }
    }

    /// The error for a failed system call on `path`.
    private static func failure(_ path: String, _ operation: String) -> GenerationError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }

    /// `path` without trailing slashes (but `/` stays `/`).
    private static func normalize(_ path: String) -> String {
        var result = path
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
