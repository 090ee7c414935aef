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
    /// - Throws: ``TimelineError/malformed(_:)`` without a name or with an empty file name,
    ///   ``TimelineError/singleSnapshot(_:)`` with one file only (a timeline needs a change).
    public static func parse(_ specification: String) throws(TimelineError) -> (name: String, files: [String]) {
        guard let equals = specification.firstIndex(of: "=") else { throw .malformed(specification) }
        let name = String(specification[..<equals])
        let files = specification[specification.index(after: equals)...].split(
            separator: ",", omittingEmptySubsequences: false
        ).map(String.init)
        guard !name.isEmpty, !files.isEmpty, files.allSatisfy({ !$0.isEmpty }) else { throw .malformed(specification) }
        guard files.count >= 2 else { throw .singleSnapshot(specification) }
        return (name, files)
    }

    /// Every timeline split, names checked to be distinct.
    func parsed() throws(TimelineError) -> [(name: String, files: [String])] {
        var names = Set<String>()
        return try specifications.map { specification throws(TimelineError) in
            let (name, files) = try Self.parse(specification)
            guard names.insert(name).inserted else { throw .duplicateName(name) }
            return (name, files)
        }
    }

    public func guests() throws -> [SimulatedGuest] {
        guard stepScans >= 1 else { throw TimelineError.stepScans(stepScans) }
        return try parsed().map { name, files in
            SimulatedGuest(
                name: name,
                snapshots: files.enumerated().map { index, file in
                    .init(path: file, trigger: index == 0 ? .start : .afterFullScans(index * stepScans))
                })
        }
    }
}
