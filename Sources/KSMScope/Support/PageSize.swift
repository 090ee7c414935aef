/// A validated page size: a power of two of at least 512 bytes.
///
/// The kernel's KSM works on the architecture's base page (4 KiB on x86_64); other sizes let
/// an operator ask what sharing would look like at another granularity (16 KiB arm64 pages,
/// for example).
public struct PageSize: Sendable, Hashable, CustomStringConvertible {
    /// The size in bytes.
    public let bytes: Int

    /// The kernel's default base page on x86_64.
    public static let `default` = PageSize(uncheckedBytes: 4096)

    /// Creates a page size, rejecting values that are not a power of two of at least 512.
    public init(bytes: Int) throws(PageSizeError) {
        guard bytes >= 512, bytes.nonzeroBitCount == 1, bytes <= 1 << 30 else {
            throw PageSizeError(bytes: bytes)
        }
        self.bytes = bytes
    }

    init(uncheckedBytes: Int) { self.bytes = uncheckedBytes }

    public var description: String { "\(bytes)" }
}

/// A page size that is not a power of two between 512 bytes and 1 GiB.
public struct PageSizeError: Error, Equatable, CustomStringConvertible {
    /// The rejected size.
    public let bytes: Int

    public var description: String {
        "page size \(bytes) is not a power of two between 512 and 1073741824 bytes"
    }
}
