/// Reads fixed-size integers out of a dump's bytes, with bounds checks.
///
/// Every read names the field it is for, so that a header cut short produces an error like
/// `offset 54 (0x36): truncated: ELF header e_phentsize needs 2 bytes, only 0 left`. Offsets
/// are absolute: `bytes` starts at byte `base` of the file.
struct ByteCursor {
    /// The byte order of multi-byte fields.
    enum ByteOrder: Sendable {
        case littleEndian, bigEndian
    }

    /// The bytes that can be read.
    let bytes: UnsafeRawBufferPointer
    /// The file offset of `bytes[0]`, for error messages.
    let base: Int
    /// The byte order of the fields.
    let byteOrder: ByteOrder
    /// The dump file, for error messages.
    let path: String

    init(_ bytes: UnsafeRawBufferPointer, base: Int = 0, byteOrder: ByteOrder = .littleEndian, path: String) {
        self.bytes = bytes
        self.base = base
        self.byteOrder = byteOrder
        self.path = path
    }

    /// The same bytes read in another byte order.
    func reading(_ order: ByteOrder) -> ByteCursor {
        ByteCursor(bytes, base: base, byteOrder: order, path: path)
    }

    /// Whether `count` bytes at `offset` are all inside the bytes.
    func contains(_ offset: Int, count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= bytes.count && count <= bytes.count - offset
    }

    /// The integer of type `T` at `offset`, in the cursor's byte order.
    ///
    /// - Throws: a ``DumpError`` naming `field` when the bytes end before the field does.
    func read<T: FixedWidthInteger>(_: T.Type, at offset: Int, _ field: @autoclosure () -> String) throws(DumpError)
        -> T
    {
        let size = MemoryLayout<T>.size
        guard contains(offset, count: size) else {
            throw DumpError(
                path: path, offset: base + max(0, offset),
                problem: "truncated: \(field()) needs \(size) bytes, only \(max(0, bytes.count - max(0, offset))) left")
        }
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        return byteOrder == .littleEndian ? T(littleEndian: raw) : T(bigEndian: raw)
    }

    /// The unsigned 16-bit field at `offset`.
    func u16(_ offset: Int, _ field: @autoclosure () -> String) throws(DumpError) -> UInt16 {
        try read(UInt16.self, at: offset, field())
    }

    /// The unsigned 32-bit field at `offset`.
    func u32(_ offset: Int, _ field: @autoclosure () -> String) throws(DumpError) -> UInt32 {
        try read(UInt32.self, at: offset, field())
    }

    /// The unsigned 64-bit field at `offset`.
    func u64(_ offset: Int, _ field: @autoclosure () -> String) throws(DumpError) -> UInt64 {
        try read(UInt64.self, at: offset, field())
    }

    /// The signed 64-bit field at `offset`.
    func i64(_ offset: Int, _ field: @autoclosure () -> String) throws(DumpError) -> Int64 {
        try read(Int64.self, at: offset, field())
    }

    /// Whether the bytes at `offset` equal `expected` (false when they run out).
    func matches(_ expected: [UInt8], at offset: Int) -> Bool {
        guard contains(offset, count: expected.count) else { return false }
        for (index, byte) in expected.enumerated() where bytes[offset + index] != byte { return false }
        return true
    }
}
