/// A memory image in LiME's `format=lime`: each range of guest-physical memory is a 32-byte
/// header followed by the range's bytes.
///
/// The header (`lime_mem_range_header`, little-endian) is `{u32 magic = 0x4C694D45;
/// u32 version = 1; u64 s_addr; u64 e_addr; u8 reserved[8]}`, `e_addr` inclusive. Pages are
/// the whole guest pages of the ranges in ascending physical order, each physical page once;
/// bytes of partial pages count as ``ignoredBytes``. A last range cut short by the end of the
/// file keeps its pages, which fail to read with a skippable ``DumpError``.
public struct LimeImage: PageSource {
    public let path: String
    public let pageSize: PageSize
    public let pageCount: Int
    /// Bytes of ranges that are not in a whole guest page.
    public let ignoredBytes: Int
    /// The mapped file.
    public let file: MappedFile
    /// Where each page is.
    let extents: PhysicalExtentTable

    /// `LIME_MAGIC`.
    static let magic: UInt32 = 0x4C69_4D45
    /// The size of a range header.
    static let headerSize = 32

    /// Maps the LiME file at `path` read-only and reads its range headers.
    ///
    /// - Throws: ``ImageError`` when the file cannot be mapped, ``DumpError`` when it is not a
    ///   usable LiME file.
    public init(path: String, pageSize: PageSize) throws {
        try self.init(file: try MappedFile(path: path), pageSize: pageSize)
    }

    /// Reads the range headers of a LiME file already mapped.
    ///
    /// - Throws: a ``DumpError`` at the first range header that is cut short, lacks the magic,
    ///   has another version, or describes an empty or overflowing range.
    public init(file: MappedFile, pageSize: PageSize) throws(DumpError) {
        let path = file.path
        let size = UInt64(pageSize.bytes)
        let cursor = ByteCursor(file.bytes, path: path)
        var ranges: [PhysicalExtentTable.Extent] = []
        var ignored = 0
        var header = 0
        while header < file.bytes.count {
            let number = ranges.count
            guard cursor.contains(header, count: Self.headerSize) else {
                throw DumpError(
                    path: path, offset: header,
                    problem:
                        "truncated LiME range header: \(file.bytes.count - header) bytes left, "
                        + "a header needs \(Self.headerSize)"
                )
            }
            let magic = try cursor.u32(header, "LiME magic")
            guard magic == Self.magic else {
                throw DumpError(
                    path: path, offset: header,
                    problem: "expected a LiME range header (magic 0x4C694D45), found 0x\(String(magic, radix: 16))")
            }
            let version = try cursor.u32(header + 4, "LiME version")
            guard version == 1 else {
                throw DumpError(
                    path: path, offset: header + 4, problem: "unsupported LiME version \(version) (expected 1)")
            }
            let start = try cursor.u64(header + 8, "LiME s_addr")
            let last = try cursor.u64(header + 16, "LiME e_addr")
            let (end, overflow) = last.addingReportingOverflow(1)  // e_addr is inclusive
            guard !overflow, end > start else {
                throw DumpError(
                    path: path, offset: header + 8,
                    problem:
                        "LiME range #\(number) from 0x\(String(start, radix: 16)) to 0x\(String(last, radix: 16)) "
                        + "is empty or overflows"
                )
            }
            let data = header + Self.headerSize
            guard let length = Checked.int(end - start), let next = Checked.add(data, length) else {
                throw DumpError(
                    path: path, offset: header + 16,
                    problem: "LiME range #\(number) of \(end - start) bytes cannot fit in a file")
            }
            let firstFrame = start / size + (start % size == 0 ? 0 : 1)
            let endFrame = end / size
            var pages = 0
            if endFrame > firstFrame {
                pages = Int(endFrame - firstFrame)
                ranges.append(
                    PhysicalExtentTable.Extent(
                        firstFrame: firstFrame, pageCount: pages, fileOffset: data + Int(firstFrame * size - start),
                        origin: number, headerOffset: header))
            }
            ignored += length - pages * pageSize.bytes
            header = next  // past the end of the file for a range cut short: then the loop ends
        }
        let table = try PhysicalExtentTable(
            ranges: ranges, fileSize: file.bytes.count, pageSize: pageSize.bytes, rangeName: "LiME range", path: path)
        guard table.pageCount > 0 else {
            throw DumpError(
                path: path, offset: 0, problem: "no LiME range holds a whole \(pageSize.bytes)-byte guest page")
        }
        self.path = path
        self.file = file
        self.pageSize = pageSize
        self.extents = table
        self.pageCount = table.pageCount
        self.ignoredBytes = ignored
    }

    public var mappedFile: MappedFile? { file }

    public func makeReader() -> any PageReader {
        PhysicalExtentTable.Reader(file: file, extents: extents, pageSize: pageSize.bytes, rangeName: "LiME range")
    }
}
