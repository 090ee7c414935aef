#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Finds running QEMU system emulators (`qemu-system-*`) from `/proc`.
public enum QEMUProcesses {
    /// One QEMU process.
    public struct Process: Sendable, Equatable {
        /// Its pid.
        public var pid: Int32
        /// Its `-name` (the `guest=` part), if given.
        public var name: String?
        /// Its command line (`/proc/PID/cmdline`), `argv[0]` first.
        public var arguments: [String] = []
    }

    /// The running `qemu-system-*` processes other than this one, by pid.
    ///
    /// A process counts when the file name of its `argv[0]` or its command name
    /// (`/proc/PID/comm`, cut to 15 characters by the kernel) starts with `qemu-system-`; both
    /// are readable for every user. Zombies and kernel threads (empty command line) are skipped.
    ///
    /// - Parameter procRoot: the folder read as `/proc` (a copy of it in tests).
    public static func find(procRoot: String = "/proc") -> [Process] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: procRoot) else { return [] }
        let me = getpid()
        var found: [Process] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != me || procRoot != "/proc",
                let raw = try? ProcFiles.bytes("\(procRoot)/\(pid)/cmdline"), !raw.isEmpty
            else { continue }
            // Arguments end in NUL; the last one's terminator leaves no empty argument.
            let arguments = (raw.last == 0 ? raw.dropLast() : raw[...]).split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            let program = arguments.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
            let command = (try? ProcFiles.text("\(procRoot)/\(pid)/comm"))?.trimmingCharacters(in: .newlines) ?? ""
            guard program.hasPrefix("qemu-system-") || command.hasPrefix("qemu-system-") else { continue }
            found.append(Process(pid: pid, name: guestName(arguments: arguments), arguments: arguments))
        }
        return found.sorted { $0.pid < $1.pid }
    }

    /// The guest name from QEMU's arguments: `-name NAME`, `-name guest=NAME,…` or
    /// `-name NAME,process=…` (also spelled `--name`).
    public static func guestName(arguments: [String]) -> String? {
        guard let flag = arguments.lastIndex(where: { $0 == "-name" || $0 == "--name" }), flag + 1 < arguments.count
        else { return nil }
        let value = arguments[flag + 1]
        // QEMU option syntax: ",," is a literal comma.
        let parts = value.replacingOccurrences(of: ",,", with: "\u{0}").split(separator: ",").map {
            $0.replacingOccurrences(of: "\u{0}", with: ",")
        }
        if let guest = parts.first(where: { $0.hasPrefix("guest=") }) { return String(guest.dropFirst(6)) }
        if let first = parts.first, !first.contains("=") { return first }
        return nil
    }
}
