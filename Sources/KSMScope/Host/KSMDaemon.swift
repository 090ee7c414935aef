#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The ksmd kernel thread and the CPU time it has used so far.
public struct KSMDaemon: Sendable, Equatable {
    /// Its pid.
    public var pid: Int32
    /// CPU time used since it started, in nanoseconds: the first field of `/proc/PID/schedstat`,
    /// else `utime + stime` of `/proc/PID/stat` (clock ticks, coarser).
    public var cpuNanoseconds: HostReading<Int>
    /// Which file ``cpuNanoseconds`` came from: `schedstat` or `stat`.
    public var source: String
    /// Seconds since it started (`/proc/uptime` minus its start time in `stat`); nil when unknown.
    public var runningSeconds: Double?

    /// Its average share of one CPU since it started; nil when unknown.
    public var averageCPUShare: Double? {
        guard let nanoseconds = cpuNanoseconds.value, let seconds = runningSeconds, seconds > 0 else { return nil }
        return Double(nanoseconds) / 1e9 / seconds
    }

    /// Finds ksmd (the process whose `comm` is `ksmd`) under `roots` and reads its CPU time;
    /// nil when there is none.
    public static func find(_ roots: HostRoots) -> KSMDaemon? {
        for entry in KernelFile.entries(roots.proc).compactMap(Int32.init).sorted() {
            guard KernelFile.text(roots.proc("\(entry)/comm")).value?.trimmingCharacters(in: .newlines) == "ksmd" else {
                continue
            }
            return read(pid: entry, roots)
        }
        return nil
    }

    /// Reads the CPU time of process `pid`.
    static func read(pid: Int32, _ roots: HostRoots) -> KSMDaemon {
        let ticksPerSecond = max(1, sysconf(Int32(_SC_CLK_TCK)))
        let statPath = roots.proc("\(pid)/stat")
        // Fields after the command name, which may hold spaces and parentheses: state is field 3.
        let stat = KernelFile.text(statPath).flatMap { text -> HostReading<[Substring]> in
            guard let fields = KsmdProcess.statFields(text: text) else {
                return .unreadable(path: statPath, reason: "no command name")
            }
            return fields.count >= 20 ? .value(fields) : .unreadable(path: statPath, reason: "too few fields")
        }
        var runningSeconds: Double?
        if let fields = stat.value, let start = Double(fields[19]),
            let uptime = KernelFile.text(roots.proc("uptime")).value?.split(separator: " ").first.flatMap({ Double($0) })
        {
            runningSeconds = uptime - start / Double(ticksPerSecond)
        }
        let schedstatPath = roots.proc("\(pid)/schedstat")
        let schedstat = KernelFile.text(schedstatPath).flatMap { text -> HostReading<Int> in
            guard let reading = KsmdProcess.Schedstat(text: text) else {
                return .unreadable(path: schedstatPath, reason: "not a schedstat line")
            }
            return .value(Int(reading.runNanoseconds))
        }
        if case .missing = schedstat {
            let ticks = stat.flatMap { fields -> HostReading<Int> in
                guard let user = Int(fields[11]), let system = Int(fields[12]) else {
                    return .unreadable(path: statPath, reason: "utime or stime not a number")
                }
                return .value((user + system) * (1_000_000_000 / ticksPerSecond))
            }
            return KSMDaemon(pid: pid, cpuNanoseconds: ticks, source: "stat", runningSeconds: runningSeconds)
        }
        return KSMDaemon(pid: pid, cpuNanoseconds: schedstat, source: "schedstat", runningSeconds: runningSeconds)
    }
}
