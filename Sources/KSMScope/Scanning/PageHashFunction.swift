import CPageHash
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
    private let many: (@Sendable (UnsafePointer<UnsafeRawPointer?>, Int, Int, UnsafeMutablePointer<UInt64>) -> Void)?

    /// Creates a hash function from a closure.
    public init(name: String, _ body: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64) {
        self.name = name
        self.body = body
        many = nil
    }

    private init(
        name: String, _ body: @escaping @Sendable (UnsafeRawBufferPointer) -> UInt64,
        many: @escaping @Sendable (UnsafePointer<UnsafeRawPointer?>, Int, Int, UnsafeMutablePointer<UInt64>) -> Void
    ) {
        self.name = name
        self.body = body
        self.many = many
    }

    /// XXH64 with seed 0: the function whose low 32 bits are the kernel's KSM checksum.
    ///
    /// Pages hashed together (``hash(pages:count:length:into:)``) go through
    /// `ksmscope_xxh64_blocks`, which computes the same values 16 pages at a time where the CPU
    /// has AVX-512.
    public static let xxh64 = PageHashFunction(
        name: "xxh64",
        { bytes in XXH64(bytes.baseAddress, bytes.count, 0) },
        many: { pages, count, length, hashes in ksmscope_xxh64_blocks(pages, count, length, hashes) })

    /// Hashes one page.
    @inline(__always)
    public func callAsFunction(_ page: UnsafeRawBufferPointer) -> UInt64 { body(page) }

    /// Hashes `count` pages of `length` bytes each, starting at `pages`, into `hashes`: the same
    /// values as hashing each alone, faster where the function has a batch form.
    @inline(__always)
    public func hash(
        pages: UnsafePointer<UnsafeRawPointer?>, count: Int, length: Int, into hashes: UnsafeMutablePointer<UInt64>
    ) {
        if let many {
            many(pages, count, length, hashes)
        } else {
            for index in 0..<count { hashes[index] = body(UnsafeRawBufferPointer(start: pages[index], count: length)) }
        }
    }
}
