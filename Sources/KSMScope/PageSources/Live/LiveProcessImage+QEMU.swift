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
}
