import ArgumentParser
import KSMScope

/// The options every command that scans images shares, with no image inputs but paths.
typealias ScanOptions = ImageScanOptions<NoExtraImageInputs>

/// The options every command that scans images shares: the merge tunables, how to read, the
/// image paths and any other image inputs (`Extra`).
struct ImageScanOptions<Extra: ExtraImageInputs>: ParsableArguments {
    @OptionGroup var merge: MergeOptions

    @OptionGroup var read: ReadOptions

    @OptionGroup var scale: ScaleOptions

    @Flag(name: .customLong("keep-going"), help: "Leave out and count unreadable pages of a dump instead of stopping.")
    var keepGoing = false

    @OptionGroup var extra: Extra

    @Argument(help: "Image files, or folders whose regular files are images (sorted by name).")
    var paths: [String] = []

    func validate() throws {
        guard !paths.isEmpty || extra.namesImages else {
            throw ValidationError("name at least one image file or folder\(Extra.alternatives)")
        }
    }

    /// The tunables these options ask for.
    func tunables() throws -> KSMTunables { try merge.tunables() }

    /// The scan configuration these options ask for.
    func configuration() throws -> ScanConfiguration {
        try scale.configuration(reading: read, keepGoing: keepGoing)
    }

    /// The page size asked for.
    var pageSize: Int { read.pageSize }

    /// Whether no progress bar is wanted.
    var quiet: Bool { read.quiet }
}
