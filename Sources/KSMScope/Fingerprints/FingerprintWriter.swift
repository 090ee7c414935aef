#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CKSMSupport
import CPageHash
import Dispatch
import Foundation
import Synchronization

/// Writes the fingerprint file of one guest (``FingerprintFile``): what `ksmscope fingerprint`
/// does for each input.
///
/// The input is read once, front to back, in chunks shared by the workers as the scan reads
/// (``FingerprintWalk``), at most ``rateLimit`` bytes a second; records are written in page
/// order. The file is written under a hidden name beside its target and renamed into place
/// once complete, so a fingerprint file is whole or absent.
public struct FingerprintWriter: Sendable {
    /// Page size, threads, keep-going, sampling.
    public var configuration: ScanConfiguration
    /// Bytes read per second at most, if set.
    public var rateLimit: Int?

    /// Creates a writer.
    public init(configuration: ScanConfiguration, rateLimit: Int? = nil) {
        self.configuration = configuration
        self.rateLimit = rateLimit
    }

    /// The file name of `source`'s fingerprint: its file name, or `pid-PID` / `qemu-PID-NAME`
    /// for a live process, with ``FingerprintFile/suffix``.
    public static func fileName(for source: any PageSource) -> String {
        let base = source is LiveProcessImage
            ? source.path.map { $0 == ":" || $0 == "/" ? "-" : $0 }.map(String.init).joined()
            : (source.path as NSString).lastPathComponent
        return base + FingerprintFile.suffix
    }

    /// Makes the folder `path` unless it exists (its parent must).
    ///
    /// - Throws: ``FingerprintError/cannotWrite(path:reason:)``.
    public static func prepareFolder(_ path: String) throws(FingerprintError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw .cannotWrite(path: path, reason: "not a folder") }
            return
        }
        guard mkdir(path, 0o755) == 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Lowers this process to nice 19 and the idle I/O class, for reading on production hosts.
    ///
    /// - Returns: false when the kernel refused either.
    @discardableResult
    public static func lowerPriority() -> Bool { ksmscope_lower_priority() == 0 }

    /// Fingerprints `source` into the file `path`.
    ///
    /// - Returns: the header written.
    /// - Throws: ``FingerprintError`` when `source` is a fingerprint or the file cannot be
    ///   written; whatever reading the source throws.
    @discardableResult
    public func write(_ source: any PageSource, to path: String, progress: ProgressCounter? = nil) throws
        -> FingerprintFile.Header
    {
        if source is FingerprintImage { throw FingerprintError.alreadyFingerprint(path: source.path) }
        let folder = (path as NSString).deletingLastPathComponent
        let staging = (folder.isEmpty ? "" : folder + "/") + "." + (path as NSString).lastPathComponent + ".partial-\(getpid())"
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FingerprintError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        var completed = false
        defer {
            close(descriptor)
            if !completed { unlink(staging) }
        }
        var header = FingerprintFile.Header(
            pageSize: configuration.pageSize.bytes, pages: source.pageCount, records: 0, zeroRuns: 0,
            sampleEvery: configuration.sample.every, ignoredBytes: source.ignoredBytes, unreadablePages: 0, checksum: 0,
            source: source.path, live: source is LiveProcessImage)
        let output = OutputFile(descriptor: descriptor, path: path)
        try output.write(header.encoded())
        let walk = FingerprintWalk(
            inputs: [source], configuration: configuration,
            rateLimiter: rateLimit.map { RateLimiter(bytesPerSecond: $0) }, progress: progress)
        // Chunks are fingerprinted by whichever worker is free and written in page order as
        // they complete.
        // libxxhash's streaming XXH3, with AVX2 where the CPU has it.
        let state = ksmscope_xxh3_stream_create()!
        defer { ksmscope_xxh3_stream_free(state) }
        let body = Mutex(BodyWriter(output: output, checksum: state))
        try walk.runInOrder(walk.chunks(), workers: max(1, configuration.threads)) { OrderedSink() } deliver: { chunk in
            try body.withLock { try $0.append(chunk) }
        }
        let (records, zeroRuns, unreadablePages) = body.withLock { ($0.records, $0.zeroRuns, $0.unreadablePages) }
        header.records = records
        header.unreadablePages = unreadablePages
        var runBytes: [UInt8] = []
        runBytes.reserveCapacity(zeroRuns.count * FingerprintFile.zeroRunSize)
        for run in zeroRuns {
            withUnsafeBytes(of: UInt64(run.lowerBound).littleEndian) { runBytes += $0 }
            withUnsafeBytes(of: UInt64(run.count).littleEndian) { runBytes += $0 }
        }
        ksmscope_xxh3_stream_update(state, runBytes, runBytes.count)
        try output.write(runBytes)
        header.zeroRuns = zeroRuns.count
        header.checksum = ksmscope_xxh3_stream_digest(state)
        try output.write(header.encoded(), at: 0)
        try source.checkIntact()
        guard fsync(descriptor) == 0, rename(staging, path) == 0 else {
            throw FingerprintError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        completed = true
        return header
    }
}

/// The body of a fingerprint file as its chunks arrive in page order: records written at once,
/// zero runs joined and kept for the end, the checksum updated.
struct BodyWriter: @unchecked Sendable {
    /// The file.
    let output: OutputFile
    /// XXH3-64 (seed 0) of the body so far; only used under the writer's lock.
    let checksum: UnsafeMutableRawPointer
    /// Records written.
    var records = 0
    /// Zero runs so far, joined across chunks.
    var zeroRuns: [Range<Int>] = []
    /// Unreadable pages so far.
    var unreadablePages = 0

    init(output: OutputFile, checksum: UnsafeMutableRawPointer) {
        self.output = output
        self.checksum = checksum
    }

    /// Appends the next chunk's records and notes its zero runs and unreadable pages.
    mutating func append(_ chunk: OrderedSink) throws {
        unreadablePages += chunk.unreadable
        for run in chunk.zeroRuns {
            if let last = zeroRuns.last, last.upperBound == run.lowerBound {
                zeroRuns[zeroRuns.count - 1] = last.lowerBound..<run.upperBound
            } else {
                zeroRuns.append(run)
            }
        }
        try chunk.records.withUnsafeBytes { bytes in
            ksmscope_xxh3_stream_update(checksum, bytes.baseAddress, bytes.count)
            try output.write(bytes)
        }
        records += chunk.records.count
    }
}

/// The records, zero runs and unreadable pages of one chunk, in page order.
struct OrderedSink: FingerprintSink, Sendable {
    var records: [PageFingerprint] = []
    var zeroRuns: [Range<Int>] = []
    var unreadable = 0

    mutating func zeros(_ pages: Range<Int>, image: Int) {
        if let last = zeroRuns.last, last.upperBound == pages.lowerBound {
            zeroRuns[zeroRuns.count - 1] = last.lowerBound..<pages.upperBound
        } else {
            zeroRuns.append(pages)
        }
    }

    mutating func page(_ page: Int, image: Int, fingerprint: PageFingerprint) { records.append(fingerprint) }

    mutating func unreadable(_ count: Int, image: Int) { unreadable += count }
}

/// Appends to a file, naming it in errors.
struct OutputFile {
    let descriptor: Int32
    let path: String

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw FingerprintError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            done += written
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(FingerprintError) {
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    }
}
