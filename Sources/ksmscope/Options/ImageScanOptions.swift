import ArgumentParser
import KSMScope

/// The options every command that scans images shares, with no image inputs but paths.
typealias ScanOptions = ImageScanOptions<NoExtraImageInputs>

/// The options every command that scans images shares.
struct ImageScanOptions<Extra: ExtraImageInputs>: ParsableArguments {
    @Option(name: .customLong("max-page-sharing"), help: "The kernel's max_page_sharing: most mappings per KSM page (at least 2).")
    var maxPageSharing = 256

    @Flag(name: .customLong("use-zero-pages"), help: "Predict use_zero_pages=1: all-zero pages map to the kernel's zero page.")
    var useZeroPages = false

    @Option(name: .customLong("page-size"), help: "Page size in bytes: a power of two of at least 512.")
    var pageSize = 4096

    @Option(name: .customLong("threads"), help: "Worker threads (default: one per core).")
    var threads: Int?

    @Flag(name: .customLong("quiet"), help: "No progress bar on standard error.")
    var quiet = false

    @Flag(name: .customLong("keep-going"), help: "Leave out and count unreadable pages of a dump instead of stopping.")
    var keepGoing = false

    @OptionGroup var extra: Extra

    @Argument(help: "Image files, or folders whose regular files are images (sorted by name).")
    var paths: [String] = []

    func validate() throws {
        guard !paths.isEmpty || extra.namesImages else {
            throw ValidationError("name at least one image file or folder\(Extra.alternatives)")
        }
        guard maxPageSharing >= 2 else {
            throw ValidationError("--max-page-sharing \(maxPageSharing) is below the kernel's minimum of 2")
        }
        do { _ = try PageSize(bytes: pageSize) } catch { throw ValidationError("--page-size: \(error)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// The tunables these options ask for.
    func tunables() throws -> KSMTunables {
        try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
    }

    /// The scan configuration these options ask for.
    func configuration() throws -> ScanConfiguration {
        var configuration = ScanConfiguration(pageSize: try PageSize(bytes: pageSize))
        if let threads { configuration.threads = threads }
        configuration.keepGoing = keepGoing
        return configuration
    }
}

