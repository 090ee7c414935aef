#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The kernel thread `ksmd` and the CPU time it has used, read from `/proc`.
///
/// ksmd is a kernel thread (a child of `kthreadd`, pid 2) named `ksmd`; its CPU time is the
/// first field of `/proc/PID/schedstat` in nanoseconds (`se.sum_exec_runtime`, the figure the
/// scan-time advisor reads through `task_sched_runtime()`), exact whenever ksmd is asleep.
///
/// ```swift
/// let ksmd = try KsmdProcess.find()
/// let before = try ksmd.schedstat().runNanoseconds
/// ```
public struct KsmdProcess: Sendable, Equatable {
    /// ksmd's process id.
    public let pid: Int32
    /// The proc file system it was found in (`/proc` unless a test points elsewhere).
    public let procRoot: String

    /// Uses the ksmd with process id `pid` under `procRoot` without checking it.
    public init(pid: Int32, procRoot: String = "/proc") {
        self.pid = pid
        self.procRoot = procRoot
    }

    /// One reading of `/proc/PID/schedstat`.
    public struct Schedstat: Sendable, Equatable {
        /// Time spent on a CPU, nanoseconds (`se.sum_exec_runtime`).
        public var runNanoseconds: UInt64
        /// Time spent runnable but waiting for a CPU, nanoseconds (`sched_info.run_delay`).
        public var waitNanoseconds: UInt64
        /// Times it was given a CPU (`sched_info.pcount`): about one per batch when the CPUs
        /// are free, more when it is preempted.
        public var timeslices: UInt64

        /// Creates a reading.
        public init(runNanoseconds: UInt64, waitNanoseconds: UInt64, timeslices: UInt64) {
            self.runNanoseconds = runNanoseconds
            self.waitNanoseconds = waitNanoseconds
            self.timeslices = timeslices
        }

        /// Parses the file's one line of three numbers.
        public init?(text: String) {
            let fields = text.split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
            guard fields.count >= 3 else { return nil }
            self.init(runNanoseconds: fields[0], waitNanoseconds: fields[1], timeslices: fields[2])
        }
    }

    /// Finds ksmd: the kernel thread named `ksmd` whose parent is `kthreadd` (pid 2).
    ///
    /// - Throws: ``KernelError/noKsmd(procRoot:)`` when there is none (a kernel without
    ///   `CONFIG_KSM`, or a `procRoot` without it).
    public static func find(procRoot: String = "/proc") throws(KernelError) -> KsmdProcess {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: procRoot)) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid > 2,
                let comm = try? String(contentsOfFile: "\(procRoot)/\(entry)/comm", encoding: .utf8),
                comm.trimmingCharacters(in: .whitespacesAndNewlines) == "ksmd",
                parent(of: "\(procRoot)/\(entry)/stat") == 2
            else { continue }
            return KsmdProcess(pid: pid, procRoot: procRoot)
        }
        throw .noKsmd(procRoot: procRoot)
    }

    /// Reads `/proc/PID/schedstat`.
    ///
    /// - Throws: ``KernelError/cannotRead(path:reason:)`` when it is missing or malformed
    ///   (a kernel without `CONFIG_SCHED_INFO` has no such file).
    public func schedstat() throws(KernelError) -> Schedstat {
        let path = "\(procRoot)/\(pid)/schedstat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        guard let reading = Schedstat(text: text) else {
            throw .cannotRead(path: path, reason: "expected three numbers, found '\(text.prefix(60))'")
        }
        return reading
    }

    /// ksmd's CPU time so far, nanoseconds.
    public func cpuNanoseconds() throws(KernelError) -> UInt64 { try schedstat().runNanoseconds }

    /// ksmd's nice value (5 on every kernel since KSM was merged: `set_user_nice(current, 5)`),
    /// from the 19th field of `/proc/PID/stat`.
    public func nice() throws(KernelError) -> Int {
        let path = "\(procRoot)/\(pid)/stat"
        guard let fields = Self.statFields(path), fields.count > 16, let value = Int(fields[16]) else {
            throw .cannotRead(path: path, reason: "no nice field")
        }
        return value
    }

    /// The parent pid in a `/proc/PID/stat` file.
    private static func parent(of path: String) -> Int32? {
        guard let fields = statFields(path), fields.count > 1 else { return nil }
        return Int32(fields[1])
    }

    /// The fields of a `stat` file after the command name (which may hold spaces and
    /// parentheses): field 3 of proc(5) first.
    private static func statFields(_ path: String) -> [Substring]? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(statFields(text:))
    }

    /// The fields of a `/proc/PID/stat` text after the command name: field 3 of proc(5)
    /// (the state) first; nil without a command name.
    static func statFields(text: String) -> [Substring]? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }
}
