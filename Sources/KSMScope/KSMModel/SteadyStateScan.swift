/// The whole `scan` job: read the images, find identical pages, and predict the counters ksmd
/// converges to on them.
public struct SteadyStateScan: Sendable {
    /// How pages are read and fingerprinted.
    public var configuration: ScanConfiguration
    /// The tunables to predict for.
    public var tunables: KSMTunables
    /// Rules for the `domain` policy, if any.
    public var domainRules: [(pattern: String, domain: String)]?

    /// Creates a scan job.
    public init(
        configuration: ScanConfiguration = .init(), tunables: KSMTunables = .defaults,
        domainRules: [(pattern: String, domain: String)]? = nil
    ) {
        self.configuration = configuration
        self.tunables = tunables
        self.domainRules = domainRules
    }

    /// Scans already opened images (and fingerprint files), with the engine ``equality(for:)``
    /// chooses.
    public func run(_ images: [any PageSource], progress: ProgressCounter? = nil) throws -> ScanReport {
        let tunables = tunables
        let domains = domainRules.map { MergeDomains(rules: $0, images: images.map(\.path)) }
        let count = images.count
        if equality(for: images) == .fingerprint128 {
            let outcome = try FingerprintScan(configuration: configuration, tunables: tunables, domains: domains)
                .run(images, progress: progress)
            return ScanReport(
                tally: outcome.tally, images: images, unreadable: outcome.unreadablePages,
                pageSize: configuration.pageSize, hash: Self.fingerprintHash, equality: .fingerprint128,
                sample: outcome.sample)
        }
        let outcome = try PageScanner(configuration: configuration).scan(images, progress: progress) {
            SteadyStateTally(tunables: tunables, imageCount: count, domains: domains)
        }
        return ScanReport(
            tally: outcome.accumulator, images: images, unreadable: outcome.unreadablePages,
            pageSize: configuration.pageSize, hash: configuration.hash.name, equality: .bytes,
            sample: configuration.sample)
    }

    /// The `hash` reports of the fingerprint engine name.
    public static let fingerprintHash = "xxh64+xxh3-64"

    /// The engine a scan of `images` runs, named by its equality: the byte-verified engine
    /// while every input is an image and the images' data plus 16 bytes a page fit the memory
    /// limit (byte verification reads duplicates again, which must come from memory, not
    /// disk), the fingerprint engine otherwise or when asked for.
    public func equality(for images: [any PageSource]) -> ScanEquality {
        if images.contains(where: { $0 is FingerprintImage }) { return .fingerprint128 }
        switch configuration.engine {
        case .bytes: return .bytes
        case .fingerprints: return .fingerprint128
        case .automatic:
            let pages = images.reduce(0) { $0 + $1.pageCount - $1.zeroPageRuns.reduce(0) { $0 + $1.count } }
            let needed = pages * (configuration.pageSize.bytes + MemoryLayout<PageRecord>.stride)
            return needed <= configuration.memoryLimit ? .bytes : .fingerprint128
        }
    }

    /// Expands `paths` (files and folders), opens the images and scans them.
    public func run(paths: [String], progress: ProgressCounter? = nil) throws -> ScanReport {
        let images = try ImagePaths.open(
            try ImagePaths.expand(paths), pageSize: configuration.pageSize, keepGoing: configuration.keepGoing)
        return try run(images, progress: progress)
    }
}
