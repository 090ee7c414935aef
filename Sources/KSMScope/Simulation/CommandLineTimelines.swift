/// Timelines given on the command line: `--timeline NAME=FILE0,FILE1,…` (one per guest) with
/// `--step-scans K`: snapshot `i` takes effect after `i × K` full scans.
public struct CommandLineTimelines: TimelineSource, Sendable, Equatable {
    /// The `NAME=FILE0,FILE1,…` arguments.
    public var specifications: [String]
    /// Full scans between snapshots.
    public var stepScans: Int

    /// Creates timelines from `--timeline` arguments.
    public init(specifications: [String], stepScans: Int) {
        self.specifications = specifications
        self.stepScans = stepScans
    }

    /// Splits one `NAME=FILE0,FILE1,…` argument.
    ///
    /// - Throws: ``TimelineError/malformed(_:)`` without a name or with an empty file name.
    public static func parse(_ specification: String) throws(TimelineError) -> (name: String, files: [String]) {
        guard let equals = specification.firstIndex(of: "=") else { throw .malformed(specification) }
        let name = String(specification[..<equals])
        let files = specification[specification.index(after: equals)...].split(
            separator: ",", omittingEmptySubsequences: false
        ).map(String.init)
        guard !name.isEmpty, !files.isEmpty, files.allSatisfy({ !$0.isEmpty }) else { throw .malformed(specification) }
        return (name, files)
    }

    public func guests() throws -> [SimulatedGuest] {
        guard stepScans >= 1 else { throw TimelineError.stepScans(stepScans) }
        var names = Set<String>()
        return try specifications.map { specification throws(TimelineError) in
            let (name, files) = try Self.parse(specification)
            guard names.insert(name).inserted else { throw .duplicateName(name) }
            return SimulatedGuest(
                name: name,
                snapshots: files.enumerated().map { index, file in
                    .init(path: file, trigger: index == 0 ? .start : .afterFullScans(index * stepScans))
                })
        }
    }
}

/// A timeline that cannot be used.
public enum TimelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `--timeline` argument that is not `NAME=FILE0,FILE1,…`.
    case malformed(String)
    /// Two timelines with the same name.
    case duplicateName(String)
    /// A `--step-scans` below 1.
    case stepScans(Int)
    /// A manifest that cannot be read or decoded.
    case unreadableManifest(path: String, reason: String)
    /// A manifest for another page size than the simulation's.
    case pageSizeMismatch(path: String, manifest: Int, simulation: Int)
    /// Guests whose snapshot `step` takes effect at different moments.
    case inconsistentSteps(step: Int)
    /// Snapshot triggers that are not in increasing order, or mix full scans and seconds.
    case unorderedTriggers(guest: String)

    public var description: String {
        switch self {
        case .malformed(let text): "--timeline '\(text)': expected NAME=FILE0,FILE1,..."
        case .duplicateName(let name): "--timeline: the name '\(name)' is used twice"
        case .stepScans(let scans): "--step-scans \(scans): must be at least 1"
        case .unreadableManifest(let path, let reason): "\(path): cannot read timeline manifest: \(reason)"
        case .pageSizeMismatch(let path, let manifest, let simulation):
            "\(path): the timeline is for \(manifest)-byte pages, the simulation uses \(simulation) (--page-size)"
        case .inconsistentSteps(let step):
            "timelines disagree on when snapshot \(step) takes effect (mixing --timeline with a manifest?)"
        case .unorderedTriggers(let guest):
            "timeline '\(guest)': snapshots must take effect in increasing order, all by full scans or all by seconds"
        }
    }
}
