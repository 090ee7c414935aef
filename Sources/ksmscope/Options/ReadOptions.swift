import ArgumentParser
import KSMScope

/// How images are read: page size, worker threads, and whether to draw a progress bar.
struct ReadOptions: ParsableArguments {
    @Option(
        name: .customLong("page-size"),
        help: ArgumentHelp("Page size in bytes: a power of two of at least 512.", valueName: "bytes"))
    var pageSize = 4096

    @Option(
        name: .customLong("threads"), parsing: .unconditional,
        help: ArgumentHelp("Worker threads (default: one per core).", valueName: "n"))
    var threads: Int?

    @Flag(name: .customLong("quiet"), help: "No progress bar on standard error.")
    var quiet = false

    func validate() throws {
        do { _ = try PageSize(bytes: pageSize) } catch { throw ValidationError("--page-size: \(error)") }
        if let threads, threads < 1 { throw ValidationError("--threads \(threads): must be at least 1") }
    }

    /// The page size asked for.
    func size() throws -> PageSize { try PageSize(bytes: pageSize) }

    /// The scan configuration these options ask for.
    func configuration(keepGoing: Bool = false) throws -> ScanConfiguration {
        var configuration = ScanConfiguration(pageSize: try size())
        if let threads { configuration.threads = threads }
        configuration.keepGoing = keepGoing
        return configuration
    }
}
