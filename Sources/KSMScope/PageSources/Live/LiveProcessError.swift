#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A problem opening a live process as an image; each prints as one line saying what to do.
public enum LiveProcessError: Error, Equatable, CustomStringConvertible {
    /// No process has this pid (or it exited before it could be opened).
    case noSuchProcess(pid: Int32)
    /// The process's memory may not be read by this user; `file` is the `/proc` file refused.
    case permissionDenied(pid: Int32, file: String, reason: String, hint: String)
    /// A `/proc` file of the process could not be read for another reason.
    case cannotRead(pid: Int32, file: String, reason: String)
    /// The process has no memory at all: a kernel thread, or a zombie.
    case noMemory(pid: Int32)
    /// No mapping of the process passes the selection rule.
    case noSelectedMemory(pid: Int32, minimumBytes: Int, mergeableOnly: Bool, qemu: Bool)
    /// `--qemu` found no running `qemu-system-*` process.
    case noQEMUProcesses

    public var description: String {
        switch self {
        case .noSuchProcess(let pid): "pid \(pid): no such process"
        case .permissionDenied(let pid, let file, let reason, let hint):
            "pid \(pid): cannot read \(file): \(reason); \(hint)"
        case .cannotRead(let pid, let file, let reason): "pid \(pid): cannot read \(file): \(reason)"
        case .noMemory(let pid): "pid \(pid): has no memory mappings (a kernel thread, or a process that has exited)"
        case .noSelectedMemory(let pid, let minimumBytes, let mergeableOnly, let qemu):
            "pid \(pid): no private anonymous read-write mapping\(mergeableOnly ? " marked mergeable" : "")"
                + (minimumBytes > 0 ? " of at least \(Self.size(minimumBytes))" : "")
                + (qemu
                    ? " (guest RAM held by a file, memfd or shared-memory backend is not private anonymous memory, and KSM never merges it; a smaller guest needs --min-mapping-size)"
                    : " (see --min-mapping-size)")
        case .noQEMUProcesses: "--qemu: no running qemu-system-* process found"
        }
    }

    /// A size in whole MiB when it is one, else in bytes.
    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    /// What a user lacking ptrace rights over `pid` needs, in a few words.
    static func ptraceHint(pid: Int32) -> String {
        var hint = "reading another process's memory needs ptrace rights over it: run as root (CAP_SYS_PTRACE) or as its owner"
        if let owner = owner(of: pid), owner != getuid() { hint += " (uid \(owner))" }
        if let text = try? ProcFiles.text("/proc/sys/kernel/yama/ptrace_scope"),
            let scope = Int(text.filter { !$0.isWhitespace }), scope > 0
        {
            hint +=
                scope >= 3
                ? "; kernel.yama.ptrace_scope is \(scope), which forbids it for everyone until reboot"
                : scope == 2
                    ? "; kernel.yama.ptrace_scope is 2: only CAP_SYS_PTRACE may"
                    : "; kernel.yama.ptrace_scope is 1: the owner too needs CAP_SYS_PTRACE unless the process is its descendant (or set it to 0)"
        }
        return hint
    }

    /// The owner of `/proc/PID`, if it exists.
    static func owner(of pid: Int32) -> uid_t? {
        var status = stat()
        return stat("/proc/\(pid)", &status) == 0 ? status.st_uid : nil
    }
}
