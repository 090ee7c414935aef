#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LiveProcessImage {
    /// Opens every running QEMU process (``QEMUProcesses/find()``) as `qemu:PID:NAME` (or
    /// `qemu:PID` when unnamed), in pid order.
    ///
    /// - Throws: ``LiveProcessError/noQEMUProcesses`` when there is none, or the first error
    ///   opening one (a process that exits before it is opened is left out).
    public static func qemuProcesses(selection: LiveMemorySelection, pageSize: PageSize) throws(LiveProcessError)
        -> [LiveProcessImage]
    {
        var images: [LiveProcessImage] = []
        for process in QEMUProcesses.find() {
            let path = "qemu:\(process.pid)" + (process.name.map { ":\($0)" } ?? "")
            do {
                images.append(
                    try LiveProcessImage(
                        pid: process.pid, path: path, name: process.name, selection: selection, pageSize: pageSize,
                        isQEMU: true))
            } catch .noSuchProcess {
                continue
            }
        }
        guard !images.isEmpty else { throw .noQEMUProcesses }
        return images
    }

    /// Opens the processes a user names: each of `pids` in the order given (`pid:PID`), then,
    /// with `qemu`, every running QEMU process by pid (``qemuProcesses(selection:pageSize:)``).
    /// A process named both ways is read once, as a QEMU process; a pid named twice, once.
    ///
    /// - Parameters:
    ///   - minimumBytes: the least mapping size to read; nil for each kind's default
    ///     (``LiveMemorySelection/processDefault``, ``LiveMemorySelection/qemuDefault``).
    ///   - mergeableOnly: read only mappings marked `MADV_MERGEABLE`.
    /// - Throws: ``LiveProcessError`` for the first process that cannot be opened.
    public static func open(
        pids: [Int32], qemu: Bool, minimumBytes: Int? = nil, mergeableOnly: Bool = false, pageSize: PageSize
    ) throws(LiveProcessError) -> [LiveProcessImage] {
        func selection(_ base: LiveMemorySelection) -> LiveMemorySelection {
            LiveMemorySelection(minimumBytes: minimumBytes ?? base.minimumBytes, mergeableOnly: mergeableOnly)
        }
        let found = qemu ? try qemuProcesses(selection: selection(.qemuDefault), pageSize: pageSize) : []
        let taken = Set(found.map(\.pid))
        var images: [LiveProcessImage] = []
        var seen: Set<Int32> = []
        for pid in pids where !taken.contains(pid) && seen.insert(pid).inserted {
            images.append(try LiveProcessImage(pid: pid, selection: selection(.processDefault), pageSize: pageSize))
        }
        return images + found
    }
}
