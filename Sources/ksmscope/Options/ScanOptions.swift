import ArgumentParser
import KSMScope

extension ReportFormat: ExpressibleByArgument {}

/// The options every command that scans images shares, with no image inputs but paths.
typealias ScanOptions = ImageScanOptions<NoExtraImageInputs>

/// Image inputs a scanning command accepts besides paths (`scan` adds live processes).
protocol ExtraImageInputs: ParsableArguments {
    /// Whether these inputs name at least one image, so that no path is needed.
    var namesImages: Bool { get }
    /// The other inputs, for the message when nothing is named: ", --pid or --qemu".
    static var alternatives: String { get }
}

/// No image inputs besides paths.
struct NoExtraImageInputs: ExtraImageInputs {
    var namesImages: Bool { false }
    static var alternatives: String { "" }
}

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

/// A byte count given as `64M`, `64MiB`, `1G`, `512k` or `4096` (binary units).
struct ByteCount: ExpressibleByArgument {
    /// The count in bytes.
    var bytes: Int

    init?(argument: String) {
        guard let bytes = LiveMemorySelection.parseSize(argument) else { return nil }
        self.bytes = bytes
    }
}

/// Live processes as images: `--pid`, `--qemu` and how their memory is selected.
struct LiveOptions: ExtraImageInputs {
    @Option(
        name: .customLong("pid"),
        help: ArgumentHelp(
            "Scan running process PID live, as image 'pid:PID' (repeatable).",
            discussion: "Default selection: all its private anonymous read-write memory (--min-mapping-size 0).",
            valueName: "PID"))
    var pids: [Int32] = []

    @Flag(
        name: .customLong("qemu"),
        help: ArgumentHelp(
            "Scan every running qemu-system-* process live, as image 'qemu:PID:NAME' (guest RAM only).",
            discussion: "Default selection: private anonymous read-write mappings of at least 64 MiB, which in QEMU is guest RAM."))
    var qemu = false

    @Option(
        name: .customLong("min-mapping-size"),
        help: ArgumentHelp(
            "Least size of a mapping read from a live process, e.g. 64M or 0 (default: 64M with --qemu, 0 with --pid).",
            valueName: "SIZE"))
    var minMappingSize: ByteCount?

    @Flag(
        name: .customLong("mergeable-only"),
        help: "Live processes: read only memory marked MADV_MERGEABLE (what ksmd scans now; QEMU marks guest RAM so by default).")
    var mergeableOnly = false

    var namesImages: Bool { !pids.isEmpty || qemu }
    static var alternatives: String { ", --pid PID or --qemu" }

    func validate() throws {
        if let pid = pids.first(where: { $0 <= 0 }) { throw ValidationError("--pid \(pid) is not a process id") }
        if !namesImages, minMappingSize != nil || mergeableOnly {
            throw ValidationError("--min-mapping-size and --mergeable-only apply to live processes: add --pid or --qemu")
        }
    }

    /// Opens the processes asked for: `--pid` ones in the order given, then `--qemu` ones by pid
    /// (a process named both ways is read once, as a QEMU process).
    func images(pageSize: PageSize) throws -> [LiveProcessImage] {
        func selection(_ base: LiveMemorySelection) -> LiveMemorySelection {
            LiveMemorySelection(minimumBytes: minMappingSize?.bytes ?? base.minimumBytes, mergeableOnly: mergeableOnly)
        }
        let found = qemu ? try LiveProcessImage.qemuProcesses(selection: selection(.qemuDefault), pageSize: pageSize) : []
        let taken = Set(found.map(\.pid))
        var images: [LiveProcessImage] = []
        var seen: Set<Int32> = []
        for pid in pids where !taken.contains(pid) && seen.insert(pid).inserted {
            images.append(try LiveProcessImage(pid: pid, selection: selection(.processDefault), pageSize: pageSize))
        }
        return images + found
    }
}
