/// The layout of a fingerprint file (`ksmscope fingerprint`), version 1. All integers are
/// little-endian; the file is meant to be read through `mmap`.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `KSMSCFP` and a NUL |
/// | 8 | 4 | format version (1) |
/// | 12 | 4 | header size: offset of the first record, a multiple of 16 |
/// | 16 | 4 | page size in bytes |
/// | 20 | 4 | hash id: 1 = XXH64 seed 0, then XXH3-64 seed 0x6B736D73636F7065 |
/// | 24 | 8 | pages: whole pages of the guest (zero and unreadable pages included) |
/// | 32 | 8 | records: 16-byte page records that follow the header |
/// | 40 | 8 | zero runs: 16-byte runs that follow the records |
/// | 48 | 8 | sample N: only contents in a 1/N slice have records (1: all) |
/// | 56 | 8 | ignored bytes: bytes after the last whole page |
/// | 64 | 8 | unreadable pages (`--keep-going`): neither records nor zero |
/// | 72 | 8 | checksum: XXH3-64 (seed 0) of everything after the header |
/// | 80 | 4 | source description length in bytes |
/// | 84 | 4 | flags: bit 0 = read from a live process (not an atomic snapshot) |
/// | 88 | 8 | reserved, zero |
/// | 96 | n | source description (UTF-8: the image path, `pid:PID`, `qemu:PID:NAME`), zero-padded to the header size |
///
/// Then `records` × 16 bytes: each non-zero page's (sampled) ``PageFingerprint`` in page order,
/// XXH64 then XXH3-64; then `zero runs` × 16 bytes: first page and page count of each run of
/// all-zero pages, ascending. Without sampling and unreadable pages, pages = records + zero
/// pages and the page of every record follows from the runs.
public enum FingerprintFile {
    /// The first 8 bytes.
    public static let magic: [UInt8] = Array("KSMSCFP".utf8) + [0]
    /// The version this ksmscope writes and reads.
    public static let version: UInt32 = 1
    /// The hash pair of ``PageFingerprint``.
    public static let hashID: UInt32 = 1
    /// Bytes of the fixed part of the header.
    public static let fixedHeaderSize = 96
    /// Bytes a record takes.
    public static let recordSize = 16
    /// Bytes a zero run takes.
    public static let zeroRunSize = 16
    /// The file name suffix `fingerprint` writes.
    public static let suffix = ".ksmfp"

    /// The header's fields.
    public struct Header: Sendable, Equatable {
        /// Page size in bytes.
        public var pageSize: Int
        /// Whole pages of the guest.
        public var pages: Int
        /// Page records in the file.
        public var records: Int
        /// Zero runs in the file.
        public var zeroRuns: Int
        /// N of the 1/N sample.
        public var sampleEvery: Int
        /// Bytes after the last whole page.
        public var ignoredBytes: Int
        /// Pages that could not be read.
        public var unreadablePages: Int
        /// XXH3-64 of the body.
        public var checksum: UInt64
        /// Where the pages came from.
        public var source: String
        /// Read from a live process.
        public var live: Bool

        /// The header's size on disk: the fixed part and the source, rounded up to 16.
        public var size: Int { (FingerprintFile.fixedHeaderSize + source.utf8.count + 15) / 16 * 16 }

        /// The file's size.
        public var fileSize: Int {
            size + records * FingerprintFile.recordSize + zeroRuns * FingerprintFile.zeroRunSize
        }

        /// The header's bytes.
        public func encoded() -> [UInt8] {
            var bytes = FingerprintFile.magic
            func put32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
            func put64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
            put32(FingerprintFile.version)
            put32(UInt32(size))
            put32(UInt32(pageSize))
            put32(FingerprintFile.hashID)
            for value in [pages, records, zeroRuns, sampleEvery, ignoredBytes, unreadablePages] { put64(UInt64(value)) }
            put64(checksum)
            put32(UInt32(source.utf8.count))
            put32(live ? 1 : 0)
            put64(0)
            bytes += source.utf8
            bytes += [UInt8](repeating: 0, count: size - bytes.count)
            return bytes
        }

        /// Reads and checks the header at the start of `bytes` (the whole file).
        ///
        /// - Throws: ``FingerprintError`` for a file too short, of another version or hash, or
        ///   whose fields contradict each other or the file's size.
        public static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(FingerprintError) -> Header {
            guard bytes.count >= FingerprintFile.fixedHeaderSize else {
                throw .truncated(path: path, bytes: bytes.count, expected: FingerprintFile.fixedHeaderSize)
            }
            func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
            func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
            let version = u32(8)
            guard version == FingerprintFile.version else { throw .unsupportedVersion(path: path, version: version) }
            let hash = u32(20)
            guard hash == FingerprintFile.hashID else { throw .unsupportedHash(path: path, hash: hash) }
            let limit = UInt64(Int.max / 32)
            let fields = [24, 32, 40, 48, 56, 64].map { u64($0) }
            guard fields.allSatisfy({ $0 <= limit }) else {
                throw .inconsistent(path: path, problem: "a count is beyond any file")
            }
            let headerSize = Int(u32(12))
            let sourceLength = Int(u32(80))
            guard headerSize % 16 == 0, headerSize >= FingerprintFile.fixedHeaderSize + sourceLength,
                headerSize < FingerprintFile.fixedHeaderSize + sourceLength + 16
            else { throw .inconsistent(path: path, problem: "header size \(headerSize) for a \(sourceLength)-byte source") }
            guard bytes.count >= headerSize else { throw .truncated(path: path, bytes: bytes.count, expected: headerSize) }
            let sourceBytes = UnsafeRawBufferPointer(rebasing: bytes[FingerprintFile.fixedHeaderSize..<(FingerprintFile.fixedHeaderSize + sourceLength)])
            let header = Header(
                pageSize: Int(u32(16)), pages: Int(fields[0]), records: Int(fields[1]), zeroRuns: Int(fields[2]),
                sampleEvery: Int(fields[3]), ignoredBytes: Int(fields[4]), unreadablePages: Int(fields[5]),
                checksum: u64(72), source: String(decoding: sourceBytes, as: UTF8.self), live: u32(84) & 1 != 0)
            guard header.size == headerSize else { throw .inconsistent(path: path, problem: "the source is not UTF-8") }
            guard header.pageSize >= 512, header.pageSize.nonzeroBitCount == 1 else {
                throw .inconsistent(path: path, problem: "page size \(header.pageSize) is not a power of two of at least 512")
            }
            guard header.sampleEvery >= 1 else { throw .inconsistent(path: path, problem: "sample 1/\(header.sampleEvery)") }
            guard header.records + header.unreadablePages <= header.pages else {
                throw .inconsistent(path: path, problem: "\(header.records) records for \(header.pages) pages")
            }
            guard bytes.count == header.fileSize else {
                throw bytes.count < header.fileSize
                    ? .truncated(path: path, bytes: bytes.count, expected: header.fileSize)
                    : .inconsistent(path: path, problem: "\(bytes.count - header.fileSize) bytes after the last zero run")
            }
            return header
        }
    }
}
