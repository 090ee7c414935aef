import Foundation

/// How a scan reads and fingerprints pages.
public struct ScanConfiguration: Sendable {
    /// The page size images are divided into.
    public var pageSize: PageSize
    /// Worker threads; at least 1.
    public var threads: Int
    /// The function that fingerprints pages before byte verification.
    public var hash: PageHashFunction
    /// Bytes all workers together may spend on their recent-content tables.
    public var recentContentBudget: Int
    /// Leave out pages whose reader reports a skippable ``DumpError`` and count them, instead of
    /// stopping at the first.
    public var keepGoing: Bool

    /// Creates a configuration; by default 4 KiB pages, one worker per core, XXH64.
    public init(
        pageSize: PageSize = .default,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        hash: PageHashFunction = .xxh64,
        recentContentBudget: Int = 32 << 20,
        keepGoing: Bool = false
    ) {
        self.pageSize = pageSize
        self.threads = max(1, threads)
        self.hash = hash
        self.recentContentBudget = recentContentBudget
        self.keepGoing = keepGoing
    }
}
