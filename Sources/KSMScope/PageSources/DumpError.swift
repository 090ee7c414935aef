/// A problem inside a memory dump, located by file and byte offset.
///
/// Problems confined to one page or one segment (a corrupt compressed page, a segment pointing
/// past the end of the file) are `skippable`: with `--keep-going` the scan leaves that page or
/// segment out and counts it instead of stopping.
public struct DumpError: Error, Equatable, CustomStringConvertible {
    /// The dump file.
    public var path: String
    /// The byte offset in the file where the problem is.
    public var offset: Int
    /// What is wrong, in a few words.
    public var problem: String
    /// Whether skipping the page or segment is a sound way to go on.
    public var skippable: Bool

    /// Creates an error at `offset` of `path`.
    public init(path: String, offset: Int, problem: String, skippable: Bool = false) {
        self.path = path
        self.offset = offset
        self.problem = problem
        self.skippable = skippable
    }

    public var description: String {
        "\(path): offset \(offset) (0x\(String(offset, radix: 16))): \(problem)"
    }
}
