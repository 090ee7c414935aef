/// Content-based sampling, `--sample 1/N`: only pages whose content falls in a 1/N slice of the
/// hash space are kept (``PageFingerprint/isSampled(every:)``), so every copy of a sampled
/// content is kept together and the saving estimate is unbiased (Harnik et al., "Estimation of
/// deduplication ratios in large data sets", MSST 2012). All-zero pages are always counted in
/// full: they are found without hashing.
public struct SampleRate: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// N: one content in N is kept. 1 keeps everything.
    public let every: Int

    /// Keeps everything.
    public static let all = SampleRate(uncheckedEvery: 1)

    /// Creates a rate of one content in `every`.
    ///
    /// - Throws: ``SampleRateError`` for N below 1.
    public init(every: Int) throws(SampleRateError) {
        guard every >= 1 else { throw .invalid("1/\(every)") }
        self.every = every
    }

    init(uncheckedEvery every: Int) { self.every = every }

    /// Parses `1/N` (or `N`).
    ///
    /// - Throws: ``SampleRateError`` for anything else.
    public init(parsing text: String) throws(SampleRateError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let denominator: Substring
        switch parts.count {
        case 1: denominator = parts[0]
        case 2 where parts[0] == "1": denominator = parts[1]
        default: throw .invalid(text)
        }
        guard let every = Int(denominator), every >= 1 else { throw .invalid(text) }
        self.every = every
    }

    /// Whether pages are left out.
    public var isSampling: Bool { every > 1 }

    public var description: String { "1/\(every)" }
}

/// A sample rate that is not `1/N` with N at least 1.
public enum SampleRateError: Error, Equatable, CustomStringConvertible {
    /// The text given.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text): "--sample \(text): expected 1/N with N a whole number of at least 1"
        }
    }
}
