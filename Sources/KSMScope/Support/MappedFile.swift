#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CKSMSupport
import SystemPackage

/// A read-only, private memory mapping of a whole file.
///
/// The mapping is never written and lives as long as the object, so sharing the object across
/// threads is safe; `@unchecked` is needed only because raw pointers are not `Sendable`.
///
/// Three things protect the host and the user:
/// - A file truncated by another process while it is mapped makes reads past its new end
///   fault (SIGBUS). The mapping is watched (`ksmscope_fault_guard_add`): the fault is caught,
///   zeros are read instead, and ``checkIntact()`` reports it, so the scan fails with one line
///   naming the file instead of dying.
/// - Holes of a sparse file are found with `SEEK_DATA`/`SEEK_HOLE` (``holes``) so that scans
///   count them as zero pages without reading them.
/// - Whether the file was in the page cache when it was opened is sampled with `mincore`
///   (``wasCached``); ``releaseCache(bytes:)`` drops what a scan read from the cache unless it
///   was, so a scan does not push the guests' working set out of memory.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The file's bytes; empty for an empty file.
    public let bytes: UnsafeRawBufferPointer
    /// Byte ranges of the file that are holes (read as zeros, occupy no disk), ascending.
    public let holes: [Range<Int>]
    /// Whether most of the file's data was in the page cache when it was opened.
    public let wasCached: Bool
    /// The descriptor, kept open for `posix_fadvise`.
    private let descriptor: Int32
    /// The fault-guard slot watching the mapping, or -1.
    private let guardSlot: Int32

    /// Maps the file at `path` read-only.
    ///
    /// - Throws: ``ImageError`` naming the path when the file cannot be opened, is not a
    ///   regular file, or cannot be mapped.
    public init(path: String) throws(ImageError) {
        self.path = path
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch {
            throw ImageError.cannotOpen(path: path, reason: Self.describe(error))
        }
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            try? descriptor.close()
            throw ImageError.cannotOpen(path: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            try? descriptor.close()
            throw ImageError.notARegularFile(path: path)
        }
        let size = Int(status.st_size)
        self.descriptor = descriptor.rawValue
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            holes = []
            wasCached = true
            guardSlot = -1
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor.rawValue, 0), base != MAP_FAILED else {
            let reason = String(cString: strerror(errno))
            try? descriptor.close()
            throw ImageError.cannotOpen(path: path, reason: reason)
        }
        // Workers walk their share of the file front to back (through the mapping or with
        // pread): ask for aggressive read-ahead.
        _ = madvise(base, size, MADV_SEQUENTIAL)
        _ = posix_fadvise(descriptor.rawValue, 0, 0, POSIX_FADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        holes = Self.holes(descriptor: descriptor.rawValue, size: size)
        wasCached = Self.isMostlyResident(base: base, size: size, holes: holes)
        guardSlot = ksmscope_fault_guard_add(base, size)
    }

    deinit {
        ksmscope_fault_guard_remove(guardSlot)
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
        close(descriptor)
    }

    /// Whether reading the mapping faulted because the file shrank after it was mapped.
    public var faulted: Bool { ksmscope_fault_guard_faulted(guardSlot) != 0 }

    /// Throws if the file shrank while it was read, so what was read is not the file.
    ///
    /// - Throws: ``ImageError/truncatedWhileReading(path:)``.
    public func checkIntact() throws(ImageError) {
        if faulted { throw .truncatedWhileReading(path: path) }
    }

    /// Reads `buffer.count` bytes at `offset` with `pread` (no mapping, so no SIGBUS).
    ///
    /// - Throws: ``ImageError/truncatedWhileReading(path:)`` when the file ends early,
    ///   ``ImageError/cannotOpen(path:reason:)`` for an I/O error.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(ImageError) {
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            if got < 0 { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
            if got == 0 { throw .truncatedWhileReading(path: path) }
            done += got
        }
    }

    /// Drops `range` (bytes of the file) from this mapping (and so from the process's resident
    /// memory) and, unless the file was cached when it was opened, from the page cache: what a
    /// scan leaves behind of a file it read.
    public func releaseCache(bytes range: Range<Int>) {
        guard let pages = unmap(bytes: range) else { return }
        if !wasCached { _ = posix_fadvise(descriptor, off_t(pages.lowerBound), off_t(pages.count), POSIX_FADV_DONTNEED) }
    }

    /// Drops `range` from this process's resident memory only (`madvise(MADV_DONTNEED)`): the
    /// page cache keeps it, and reading it again faults it back in. Returns the page-aligned
    /// range dropped, nil when there is none.
    @discardableResult
    public func unmap(bytes range: Range<Int>) -> Range<Int>? {
        guard let base = bytes.baseAddress, !range.isEmpty else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page
        let end = min(bytes.count, (range.upperBound + page - 1) / page * page)
        guard start < end else { return nil }
        // The page cache keeps pages that are mapped: unmap before dropping them from it.
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
        return start..<end
    }

    /// Drops the whole file as ``releaseCache(bytes:)`` does.
    public func releaseCache() { releaseCache(bytes: 0..<bytes.count) }

    /// The holes of the file, found with `SEEK_DATA` and `SEEK_HOLE`; none where the file
    /// system cannot tell.
    private static func holes(descriptor: Int32, size: Int) -> [Range<Int>] {
        var holes: [Range<Int>] = []
        var offset = 0
        while offset < size {
            let data = lseek(descriptor, off_t(offset), seekData)
            if data < 0 {
                // ENXIO: no data after offset, the rest is a hole; anything else: unknown.
                if errno == ENXIO { holes.append(offset..<size) }
                break
            }
            if Int(data) > offset { holes.append(offset..<Int(data)) }
            let hole = lseek(descriptor, data, seekHole)
            guard hole > data else { break }
            offset = Int(hole)
        }
        return holes
    }

    /// `SEEK_DATA` and `SEEK_HOLE` of Linux's `<unistd.h>`, hidden from Swift behind `_GNU_SOURCE`.
    private static let seekData: Int32 = 3
    private static let seekHole: Int32 = 4

    /// Samples up to 256 pages of the file's data with `mincore`: resident if more than half are.
    private static func isMostlyResident(base: UnsafeMutableRawPointer, size: Int, holes: [Range<Int>]) -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (size + page - 1) / page
        if holes.isEmpty, pages <= 4096 {
            // A small file: one call for every page costs less than 256 calls for one each.
            var vector = [UInt8](repeating: 0, count: pages)
            guard mincore(base, size, &vector) == 0 else { return false }
            return vector.reduce(0) { $0 + Int($1 & 1) } * 2 > pages
        }
        let samples = min(pages, 256)
        var resident = 0
        var data = 0
        var holeIndex = 0
        var vector: UInt8 = 0
        for sample in 0..<samples {
            let offset = (pages - 1) * sample / max(1, samples - 1) * page
            while holeIndex < holes.count, holes[holeIndex].upperBound <= offset { holeIndex += 1 }
            if holeIndex < holes.count, holes[holeIndex].contains(offset) { continue }
            data += 1
            if mincore(base + offset, 1, &vector) == 0, vector & 1 != 0 { resident += 1 }
        }
        return data == 0 || resident * 2 > data
    }

    private static func describe(_ error: any Error) -> String {
        if let errno = error as? Errno { return String(cString: strerror(errno.rawValue)) }
        return "\(error)"
    }
}
