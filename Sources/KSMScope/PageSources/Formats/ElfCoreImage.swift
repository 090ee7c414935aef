/// An ELF core of a guest, as QEMU's `dump-guest-memory` (and `virsh dump --memory-only
/// --format elf`) writes it: the pages are the `PT_LOAD` segments' bytes, keyed by
/// guest-physical address (`p_paddr`).
///
/// - Pages come in ascending guest-physical order; holes between segments are not pages.
/// - Only the file-backed part of a segment (`p_filesz`, which may be less than `p_memsz`)
///   holds pages, and only whole guest pages: the bytes of a partial first or last page count
///   as ``ignoredBytes``. Segment data need not be page-aligned in the file (QEMU 7.2 starts
///   the first segment's data at offset 0x498), so pages are read from `p_offset` on, in place.
/// - With `paging=true`, QEMU lists a physical page under every virtual mapping of it; each
///   guest-physical page is counted once, from the first segment that holds it.
/// - 0xFFFF or more program headers: `e_phnum` is `PN_XNUM` and the count is in section
///   header 0's `sh_info`.
/// - ELFCLASS32 and ELFCLASS64, either byte order.
///
/// A segment whose bytes run past the end of the file, or whose `p_filesz` exceeds its
/// `p_memsz`, keeps its pages; those pages fail to read with a skippable ``DumpError`` (counted
/// as unreadable with `--keep-going`). A segment whose numbers overflow cannot be placed at all:
/// it is an error, or left out with `keepGoing`.
public struct ElfCoreImage: PageSource {
    public let path: String
    public let pageSize: PageSize
    public let pageCount: Int
    /// Bytes of `PT_LOAD` segments that are not in a whole guest page.
    public let ignoredBytes: Int
    /// The mapped file.
    public let file: MappedFile
    /// `PT_LOAD` segments left out because their numbers overflow (only with `keepGoing`;
    /// otherwise they are an error).
    public let droppedSegments: Int
    /// Where each page is.
    let extents: PhysicalExtentTable

    /// `PT_LOAD`.
    static let loadSegment: UInt32 = 1
    /// `ET_CORE`.
    static let coreFile: UInt16 = 4
    /// `PN_XNUM`: the program header count is in section header 0.
    static let extendedCount: UInt16 = 0xFFFF

    /// Maps the ELF core at `path` read-only and reads its program headers.
    ///
    /// - Throws: ``ImageError`` when the file cannot be mapped, ``DumpError`` when it is not a
    ///   usable ELF core.
    public init(path: String, pageSize: PageSize, keepGoing: Bool = false) throws {
        try self.init(file: try MappedFile(path: path), pageSize: pageSize, keepGoing: keepGoing)
    }

    /// Reads the program headers of an ELF core already mapped.
    ///
    /// - Parameter keepGoing: leave out `PT_LOAD` segments whose header cannot describe pages
    ///   (addresses or sizes that overflow) instead of failing.
    /// - Throws: a ``DumpError`` naming the offset of the first problem: wrong magic, class or
    ///   byte order, not `ET_CORE`, a header or program header table cut short or past the end
    ///   of the file, or segments that cannot be pages of one guest.
    public init(file: MappedFile, pageSize: PageSize, keepGoing: Bool = false) throws(DumpError) {
        let path = file.path
        let size = pageSize.bytes
        var cursor = ByteCursor(file.bytes, path: path)
        guard cursor.matches(ImageFormat.elfMagic, at: 0) else {
            throw DumpError(path: path, offset: 0, problem: "not an ELF file: no \\x7FELF magic")
        }
        guard cursor.contains(0, count: 16) else {
            throw DumpError(
                path: path, offset: 0,
                problem: "truncated ELF header: e_ident needs 16 bytes, the file has \(file.bytes.count)")
        }
        let elfClass = file.bytes[4]
        let data = file.bytes[5]
        guard elfClass == 1 || elfClass == 2 else {
            throw DumpError(
                path: path, offset: 4, problem: "unknown ELF class \(elfClass) (expected 1 for ELF32 or 2 for ELF64)")
        }
        guard data == 1 || data == 2 else {
            throw DumpError(path: path, offset: 5, problem: "unknown ELF byte order \(data) (expected 1 or 2)")
        }
        cursor = cursor.reading(data == 1 ? .littleEndian : .bigEndian)
        let is64 = elfClass == 2
        let type = try cursor.u16(16, "ELF header e_type")
        guard type == Self.coreFile else {
            throw DumpError(
                path: path, offset: 16, problem: "ELF file is not a core dump (e_type \(type), expected 4 = ET_CORE)")
        }

        // Offsets of the header fields for each class.
        let phoffField = is64 ? 32 : 28
        let shoffField = is64 ? 40 : 32
        let phentsizeField = is64 ? 54 : 42
        let phnumField = is64 ? 56 : 44
        let shentsizeField = is64 ? 58 : 46
        let phoff =
            is64
            ? try cursor.u64(phoffField, "ELF header e_phoff")
            : UInt64(try cursor.u32(phoffField, "ELF header e_phoff"))
        let phentsize = Int(try cursor.u16(phentsizeField, "ELF header e_phentsize"))
        var phnum = Int(try cursor.u16(phnumField, "ELF header e_phnum"))
        let minimumEntry = is64 ? 56 : 32
        guard phentsize >= minimumEntry else {
            throw DumpError(
                path: path, offset: phentsizeField, problem: "ELF e_phentsize \(phentsize) is below \(minimumEntry)")
        }
        if phnum == Int(Self.extendedCount) {
            // More program headers than e_phnum can say: section header 0 holds the count.
            let shoff =
                is64
                ? try cursor.u64(shoffField, "ELF header e_shoff")
                : UInt64(try cursor.u32(shoffField, "ELF header e_shoff"))
            let shentsize = Int(try cursor.u16(shentsizeField, "ELF header e_shentsize"))
            guard shoff != 0, let sectionHeader = Checked.int(shoff), shentsize >= (is64 ? 64 : 40) else {
                throw DumpError(
                    path: path, offset: shoffField,
                    problem:
                        "e_phnum is PN_XNUM but there is no section header 0 to hold the count "
                        + "(e_shoff \(shoff), e_shentsize \(shentsize))"
                )
            }
            let infoField = Checked.add(sectionHeader, is64 ? 44 : 28) ?? -1
            phnum = Int(try cursor.u32(infoField, "section header 0 sh_info (program header count)"))
        }
        guard let tableStart = Checked.int(phoff), let tableLength = Checked.multiply(phnum, phentsize),
            let tableEnd = Checked.add(tableStart, tableLength), tableEnd <= file.bytes.count
        else {
            throw DumpError(
                path: path, offset: phoffField,
                problem:
                    "program header table (\(phnum) entries of \(phentsize) bytes at offset \(phoff)) runs past "
                    + "the end of the file (\(file.bytes.count) bytes)"
            )
        }

        var ranges: [PhysicalExtentTable.Extent] = []
        var ignored = 0
        var dropped = 0
        for index in 0..<phnum {
            let header = tableStart + index * phentsize
            guard try cursor.u32(header, "p_type") == Self.loadSegment else { continue }
            let offset: UInt64
            let paddr: UInt64
            let filesz: UInt64
            let memsz: UInt64
            if is64 {
                offset = try cursor.u64(header + 8, "p_offset")
                paddr = try cursor.u64(header + 24, "p_paddr")
                filesz = try cursor.u64(header + 32, "p_filesz")
                memsz = try cursor.u64(header + 40, "p_memsz")
            } else {
                offset = UInt64(try cursor.u32(header + 4, "p_offset"))
                paddr = UInt64(try cursor.u32(header + 12, "p_paddr"))
                filesz = UInt64(try cursor.u32(header + 16, "p_filesz"))
                memsz = UInt64(try cursor.u32(header + 20, "p_memsz"))
            }
            guard filesz > 0 else { continue }  // not in the file (QEMU's begin/length filter)
            do throws(DumpError) {
                var pages = try Self.wholePages(
                    paddr: paddr, offset: offset, filesz: filesz, pageSize: size, origin: index, header: header,
                    path: path)
                if filesz > memsz {
                    // Damaged, but its pages can be located: they fail to read (skippable).
                    pages?.rejection = "PT_LOAD #\(index) has p_filesz \(filesz) above p_memsz \(memsz)"
                }
                if let pages { ranges.append(pages) }
                ignored += Int(filesz) - (pages?.pageCount ?? 0) * size
            } catch {
                guard keepGoing else { throw error }
                dropped += 1
            }
        }
        let table = try PhysicalExtentTable(
            ranges: ranges, fileSize: file.bytes.count, pageSize: size, rangeName: "PT_LOAD", path: path)
        guard table.pageCount > 0 else {
            throw DumpError(
                path: path, offset: phoffField, problem: "no PT_LOAD segment holds a whole \(size)-byte guest page")
        }
        self.path = path
        self.file = file
        self.pageSize = pageSize
        self.extents = table
        self.pageCount = table.pageCount
        self.ignoredBytes = ignored
        self.droppedSegments = dropped
    }

    /// The whole guest pages of a segment's file-backed bytes, or nil when it holds none.
    ///
    /// - Throws: a ``DumpError`` at the program header when its numbers overflow.
    static func wholePages(
        paddr: UInt64, offset: UInt64, filesz: UInt64, pageSize: Int, origin: Int, header: Int, path: String
    ) throws(DumpError) -> PhysicalExtentTable.Extent? {
        let size = UInt64(pageSize)
        let (end, overflow) = paddr.addingReportingOverflow(filesz)
        guard let start = Checked.int(offset), let length = Checked.int(filesz), Checked.add(start, length) != nil,
            !overflow
        else {
            throw DumpError(
                path: path, offset: header,
                problem:
                    "PT_LOAD #\(origin) cannot be pages: p_paddr 0x\(String(paddr, radix: 16)) or p_offset \(offset) "
                    + "plus p_filesz \(filesz) overflows")
        }
        let firstFrame = paddr / size + (paddr % size == 0 ? 0 : 1)
        let endFrame = end / size
        guard endFrame > firstFrame else { return nil }
        let skip = Int(firstFrame * size - paddr)  // bytes of a partial first page
        return PhysicalExtentTable.Extent(
            firstFrame: firstFrame, pageCount: Int(endFrame - firstFrame), fileOffset: start + skip, origin: origin,
            headerOffset: header)
    }

    public var mappedFile: MappedFile? { file }

    public func makeReader() -> any PageReader {
        PhysicalExtentTable.Reader(file: file, extents: extents, pageSize: pageSize.bytes, rangeName: "PT_LOAD")
    }
}
