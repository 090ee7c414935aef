import ArgumentParser
import KSMScope

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

    /// Opens the processes asked for (``LiveProcessImage/open(pids:qemu:minimumBytes:mergeableOnly:pageSize:)``).
    func images(pageSize: PageSize) throws -> [LiveProcessImage] {
        try LiveProcessImage.open(
            pids: pids, qemu: qemu, minimumBytes: minMappingSize?.bytes, mergeableOnly: mergeableOnly,
            pageSize: pageSize)
    }
}
