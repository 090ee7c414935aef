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
    /// The memory the scan may use (`--memory-limit`): the byte-verified engine runs only when
    /// its records and the images' data fit; otherwise the fingerprint engine partitions its
    /// records to keep within it. Default: ``defaultMemoryLimit``.
    public var memoryLimit: Int
    /// Where the fingerprint engine spills partitions (`--temp-dir`).
    public var temporaryDirectory: String
    /// Content-based sampling (`--sample 1/N`).
    public var sample: SampleRate
    /// Which engine and so which equality to use.
    public var engine: ScanEngine
    /// Spill to exactly this many partitions (tests and benchmarks); nil: as many as the memory
    /// limit needs, and none while the records fit in memory.
    public var partitions: Int?

    /// Creates a configuration; by default 4 KiB pages, one worker per core, XXH64.
    public init(
        pageSize: PageSize = .default,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        hash: PageHashFunction = .xxh64,
        recentContentBudget: Int = 32 << 20,
        keepGoing: Bool = false,
        memoryLimit: Int = ScanConfiguration.defaultMemoryLimit,
        temporaryDirectory: String = ScanConfiguration.defaultTemporaryDirectory,
        sample: SampleRate = .all,
        engine: ScanEngine = .automatic,
        partitions: Int? = nil
    ) {
        self.pageSize = pageSize
        self.threads = max(1, threads)
        self.hash = hash
        self.recentContentBudget = recentContentBudget
        self.keepGoing = keepGoing
        self.memoryLimit = memoryLimit
        self.temporaryDirectory = temporaryDirectory
        self.sample = sample
        self.engine = engine
        self.partitions = partitions
    }

    /// Half of the machine's physical memory: the default `--memory-limit`.
    public static var defaultMemoryLimit: Int {
        Int(ProcessInfo.processInfo.physicalMemory / 2)
    }

    /// `$TMPDIR`, else `/tmp`: the default `--temp-dir`.
    public static var defaultTemporaryDirectory: String {
        ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }
}

/// Which engine a scan runs, and so what makes two pages one content.
public enum ScanEngine: String, Sendable, CaseIterable {
    /// Byte verification while the images and 16 bytes a page fit ``ScanConfiguration/memoryLimit``
    /// and every input is an image; the fingerprint engine otherwise.
    case automatic
    /// Always the in-memory, byte-verified engine.
    case bytes
    /// Always the fingerprint engine (128-bit ``PageFingerprint`` equality).
    case fingerprints
}
