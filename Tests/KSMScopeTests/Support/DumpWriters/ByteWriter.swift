// Test support shared with Fuzz/ (Fuzz/Sources/FuzzSupport/DumpWriters is a symlink to this
// folder, whose files write the fuzzers' seed corpus): no tests and no `import Testing` here.

/// Appends fixed-size integers in one byte order.
struct ByteWriter {
    var bytes: [UInt8] = []
    var bigEndian = false

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { integer(value) }
    mutating func u32(_ value: UInt32) { integer(value) }
    mutating func u64(_ value: UInt64) { integer(value) }
    mutating func i64(_ value: Int64) { integer(value) }
    mutating func zeros(_ count: Int) { bytes += [UInt8](repeating: 0, count: count) }
    mutating func pad(to length: Int) { if bytes.count < length { zeros(length - bytes.count) } }
    mutating func append(_ other: [UInt8]) { bytes += other }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { bytes += $0 }
    }

    /// Overwrites an integer at `offset`.
    mutating func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { raw in
            for (index, byte) in raw.enumerated() { bytes[offset + index] = byte }
        }
    }
}
