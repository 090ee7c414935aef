import ArgumentParser
import KSMScope

/// How a scan copes with any size: `--memory-limit`, `--temp-dir` and `--sample`, shared by
/// every command that scans (through ``ImageScanOptions``, and `plan`, `simulate` and `tune`).
struct ScaleOptions: ParsableArguments {
    @Option(
        name: .customLong("memory-limit"),
        help: ArgumentHelp(
            "Memory the scan may use, e.g. 4G (default: half of physical memory).",
            discussion: """
                Sets whose images and 16 bytes a page do not fit are scanned by the fingerprint engine: one \
                sequential pass, partitions spilled under --temp-dir, pages compared by 128-bit fingerprints.
                """,
            valueName: "size"))
    var memoryLimit: ByteCount?

    @Option(
        name: .customLong("temp-dir"),
        help: ArgumentHelp("Folder for partition files beyond --memory-limit (default: $TMPDIR or /tmp).", valueName: "dir"))
    var temporaryDirectory: String?

    @Option(
        name: .customLong("sample"),
        help: ArgumentHelp(
            "Keep only contents in a 1/N slice of the hash space; the report adds the estimated saving and its 95% confidence interval.",
            valueName: "1/N"))
    var sample: String?

    @Option(name: .customLong("engine"), help: .hidden)
    var engine: String?

    @Option(name: .customLong("partitions"), help: .hidden)
    var partitions: Int?

    func validate() throws {
        if let memoryLimit, memoryLimit.bytes < 1 << 20 {
            throw ValidationError("--memory-limit \(memoryLimit.bytes): must be at least 1M")
        }
        if let sample { do { _ = try SampleRate(parsing: sample) } catch { throw ValidationError("\(error)") } }
        if let engine, ScanEngine(rawValue: engine) == nil {
            throw ValidationError("--engine \(engine): expected automatic, bytes or fingerprints")
        }
        if let partitions, partitions < 1 { throw ValidationError("--partitions \(partitions): must be at least 1") }
    }

    /// The configuration `read` asks for, with these options applied.
    func configuration(reading read: ReadOptions, keepGoing: Bool = false) throws -> ScanConfiguration {
        var configuration = try read.configuration(keepGoing: keepGoing)
        try apply(to: &configuration)
        return configuration
    }

    /// Applies these options to `configuration`.
    func apply(to configuration: inout ScanConfiguration) throws {
        if let memoryLimit { configuration.memoryLimit = memoryLimit.bytes }
        if let temporaryDirectory { configuration.temporaryDirectory = temporaryDirectory }
        if let sample { configuration.sample = try SampleRate(parsing: sample) }
        if let engine { configuration.engine = ScanEngine(rawValue: engine) ?? .automatic }
        configuration.partitions = partitions
    }
}
