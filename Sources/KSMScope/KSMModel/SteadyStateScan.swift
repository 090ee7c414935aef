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

    /// Scans already opened images.
    public func run(_ images: [any PageSource], progress: ProgressCounter? = nil) throws -> ScanReport {
        let tunables = tunables
        let domains = domainRules.map { MergeDomains(rules: $0, images: images.map(\.path)) }
        let count = images.count
        let outcome = try PageScanner(configuration: configuration).scan(images, progress: progress) {
            SteadyStateTally(tunables: tunables, imageCount: count, domains: domains)
        }
        return ScanReport(
            tally: outcome.accumulator, images: images, unreadable: outcome.unreadablePages,
            pageSize: configuration.pageSize, hash: configuration.hash.name)
    }

    /// Expands `paths` (files and folders), opens the images and scans them.
    public func run(paths: [String], progress: ProgressCounter? = nil) throws -> ScanReport {
        let images = try ImagePaths.open(
            try ImagePaths.expand(paths), pageSize: configuration.pageSize, keepGoing: configuration.keepGoing)
        return try run(images, progress: progress)
    }
}
