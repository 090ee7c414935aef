/// The container format of a memory image, recognised from its first bytes.
///
/// Detection looks only at the content, never at the file name: a signature at offset 0
/// selects a dump format, and anything else is a raw image. Once a signature has matched, the
/// file is held to that format: a damaged dump is reported as damaged, never quietly scanned
/// as raw memory.
public enum ImageFormat: String, Sendable, CaseIterable {
    /// Raw guest memory: the file's bytes are the pages, from address 0.
    case raw
    /// An ELF core (`ET_CORE`), as QEMU's `dump-guest-memory` and `virsh dump --memory-only`
    /// write: pages come from the `PT_LOAD` segments.
    case elfCore = "elf"
    /// makedumpfile's kdump-compressed (diskdump) format, signature `KDUMP   `.
    case kdump
    /// The flattened stream form of kdump-compressed, as `makedumpfile -F` and QEMU's
    /// `kdump-*` formats write: a `makedumpfile` header, then (offset, size, data) records.
    case flattenedKdump = "flattened-kdump"
    /// LiME's `format=lime`: each physical range behind a 32-byte `EMiL` header.
    case lime
    /// A fingerprint file written by `ksmscope fingerprint` (``FingerprintFile``): page
    /// fingerprints instead of pages.
    case fingerprint

    /// How many leading bytes ``detect(_:)`` looks at.
    public static let signatureLength = 16

    /// The format whose signature the bytes start with; ``raw`` when none matches.
    ///
    /// - `7F 45 4C 46` (`\u{7F}ELF`): ``elfCore``.
    /// - `KDUMP   ` or `DISKDUMP`: ``kdump`` (the old `DISKDUMP` variant is then refused by name).
    /// - `makedumpfile` followed by a NUL: ``flattenedKdump``.
    /// - the little-endian `u32` 0x4C694D45 (`EMiL` on disk): ``lime``.
    /// - `KSMSCFP` followed by a NUL: ``fingerprint``.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageFormat {
        func starts(with signature: [UInt8]) -> Bool {
            bytes.count >= signature.count && zip(bytes, signature).allSatisfy { $0 == $1 }
        }
        if starts(with: elfMagic) { return .elfCore }
        if starts(with: kdumpSignature) || starts(with: diskdumpSignature) { return .kdump }
        if starts(with: flattenedSignature) { return .flattenedKdump }
        if starts(with: limeMagic) { return .lime }
        if starts(with: FingerprintFile.magic) { return .fingerprint }
        return .raw
    }

    /// Opens the image at `path` in the format its content shows.
    ///
    /// - Parameters:
    ///   - pageSize: the scan's page size; a kdump's block size must equal it.
    ///   - keepGoing: leave out ELF segments whose header cannot describe pages instead of
    ///     failing (pages that cannot be read are skipped by the scan, not here).
    /// - Throws: ``ImageError`` when the file cannot be read (or, for a raw image, is empty or
    ///   shorter than a page); ``DumpError`` when a dump's structure is unusable.
    public static func open(_ path: String, pageSize: PageSize, keepGoing: Bool = false) throws -> any PageSource {
        let file = try MappedFile(path: path)
        switch detect(file.bytes) {
        case .raw:
            guard file.bytes.count > 0 else { throw ImageError.emptyFile(path: path) }
            guard file.bytes.count >= pageSize.bytes else {
                throw ImageError.noWholePage(path: path, bytes: file.bytes.count, pageSize: pageSize.bytes)
            }
            return RawImage(file: file, pageSize: pageSize)
        case .elfCore: return try ElfCoreImage(file: file, pageSize: pageSize, keepGoing: keepGoing)
        case .kdump, .flattenedKdump: return try KdumpImage(file: file, pageSize: pageSize)
        case .lime: return try LimeImage(file: file, pageSize: pageSize)
        case .fingerprint: return try FingerprintImage(file: file, pageSize: pageSize)
        }
    }

    /// `e_ident[EI_MAG0...EI_MAG3]`.
    static let elfMagic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]
    /// `disk_dump_header.signature` of makedumpfile's format.
    static let kdumpSignature = Array("KDUMP   ".utf8)
    /// `disk_dump_header.signature` of the old diskdump driver's format.
    static let diskdumpSignature = Array("DISKDUMP".utf8)
    /// `makedumpfile_header.signature`: "makedumpfile", NUL-padded to 16 bytes.
    static let flattenedSignature = Array("makedumpfile".utf8) + [0]
    /// `lime_mem_range_header.magic` (0x4C694D45) as it sits on disk, little-endian.
    static let limeMagic: [UInt8] = [0x45, 0x4D, 0x69, 0x4C]
}
