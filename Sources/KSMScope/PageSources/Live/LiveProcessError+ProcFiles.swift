#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LiveProcessError {
    /// The error for a failed open or read of a process's `/proc` file.
    init(_ failure: ProcFiles.Failure, pid: Int32, file: String) {
        self =
            switch failure.code {
        case ENOENT, ESRCH: .noSuchProcess(pid: pid)
        case EACCES, EPERM:
            .permissionDenied(pid: pid, file: file, reason: failure.reason, hint: LiveProcessError.ptraceHint(pid: pid))
        default: .cannotRead(pid: pid, file: file, reason: failure.reason)
        }
    }
}
