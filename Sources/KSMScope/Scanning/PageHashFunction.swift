import CXXHash

/// The function that fingerprints a page's bytes.
///
/// The scanner groups pages by this value and then confirms every group byte for byte, so a
/// weak or colliding function costs time, never correctness. Tests inject deliberately
/// colliding functions to prove that.
public struct PageHashFunction: Sendable {
    /// A short name for reports.
    public let name: String
    private let body: @Sendable (UnsafeRawBufferPointer) -> UInt64

    /// Creates a hash function from a closure.
    public init(name: String, _ body: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64) {
        self.name = name
        self.body = body
    }

    /// XXH64 with seed 0: the function whose low 32 bits are the kernel's KSM checksum.
    public static let xxh64 = PageHashFunction(name: "xxh64") { bytes in
        XXH64(bytes.baseAddress, bytes.count, 0)
    }

    /// Hashes one page.
    @inline(__always)
    public func callAsFunction(_ page: UnsafeRawBufferPointer) -> UInt64 { body(page) }
}
