#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CKSMSupport
import CXXHash
import Dispatch
import Foundation

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
        let state = XXH3_createState()!
        defer { XXH3_freeState(state) }
        XXH3_64bits_reset(state)

        var zeroRuns: [Range<Int>] = []
        let walk = FingerprintWalk(
            inputs: [source], configuration: configuration,
            rateLimiter: rateLimit.map { RateLimiter(bytesPerSecond: $0) }, progress: progress)
        let chunks = walk.chunks()
        let workers = max(1, configuration.threads)
        let window = workers * 4
        var start = 0
        while start < chunks.count {
            let batch = Array(chunks[start..<min(chunks.count, start + window)])
            let results = try walk.runEach(batch, workers: workers) { _ in OrderedSink() }
            for result in results {
                header.unreadablePages += result.unreadable
                for run in result.zeroRuns {
                    if let last = zeroRuns.last, last.upperBound == run.lowerBound {
                        zeroRuns[zeroRuns.count - 1] = last.lowerBound..<run.upperBound
                    } else {
                        zeroRuns.append(run)
                    }
                }
                try result.records.withUnsafeBytes { bytes in
                    XXH3_64bits_update(state, bytes.baseAddress, bytes.count)
                    try output.write(bytes)
                }
                header.records += result.records.count
            }
            start += window
        }
        var runBytes: [UInt8] = []
        runBytes.reserveCapacity(zeroRuns.count * FingerprintFile.zeroRunSize)
        for run in zeroRuns {
            withUnsafeBytes(of: UInt64(run.lowerBound).littleEndian) { runBytes += $0 }
            withUnsafeBytes(of: UInt64(run.count).littleEndian) { runBytes += $0 }
        }
        XXH3_64bits_update(state, runBytes, runBytes.count)
        try output.write(runBytes)
        header.zeroRuns = zeroRuns.count
        header.checksum = XXH3_64bits_digest(state)
        try output.write(header.encoded(), at: 0)
        try source.checkIntact()
        guard fsync(descriptor) == 0, rename(staging, path) == 0 else {
            throw FingerprintError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        completed = true
        return header
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
