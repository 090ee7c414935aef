#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Typed access to the kernel's KSM controls and counters under `/sys/kernel/mm/ksm`.
public struct KSMSysfs: Sendable {
    /// The folder, `/sys/kernel/mm/ksm` unless a test points elsewhere.
    public let root: String

    /// Uses the folder at `root`.
    public init(root: String = "/sys/kernel/mm/ksm") { self.root = root }

    /// Whether the folder exists and its `run` file is writable (root on a KSM kernel).
    public var isWritable: Bool { access(root + "/run", W_OK) == 0 }

    /// Why the kernel cannot be driven here, or nil if it can.
    public var unavailableReason: String? {
        if access(root, F_OK) != 0 { return "\(root) does not exist (kernel built without CONFIG_KSM?)" }
        if !isWritable { return "\(root)/run is not writable (run as root)" }
        return nil
    }

    /// Reads a file's contents, trimmed. For `advisor_mode` the selected value in brackets.
    public func read(_ name: String) throws(KernelError) -> String {
        // KernelFile reads through ProcFiles, which takes errno right after the call that set it.
        switch KernelFile.value(root + "/" + name) {
        case .value(let value): return value
        case .missing(let path): throw .cannotRead(path: path, reason: String(cString: strerror(ENOENT)))
        case .unreadable(let path, let reason): throw .cannotRead(path: path, reason: reason)
        }
    }

    /// Reads a file holding one integer.
    public func readInt(_ name: String) throws(KernelError) -> Int {
        let text = try read(name)
        guard let value = Int(text) else { throw .cannotRead(path: root + "/" + name, reason: "not an integer: \(text)") }
        return value
    }

    /// Writes a value to a control file.
    public func write(_ name: String, _ value: String) throws(KernelError) {
        let path = root + "/" + name
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, value: value, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let code = errno
        guard written == bytes.count else {
            let reason = written < 0 ? String(cString: strerror(code)) : "short write (\(written) of \(bytes.count) bytes)"
            throw .cannotWrite(path: path, value: value, reason: reason)
        }
    }

    /// Whether a file exists (older kernels lack newer knobs).
    public func has(_ name: String) -> Bool { access(root + "/" + name, F_OK) == 0 }

    /// Reads every global counter the kernel has.
    public func counters() throws(KernelError) -> KSMCounters {
        var values: [String: Int] = [:]
        for name in KSMCounters.names where has(name) { values[name] = try readInt(name) }
        return KSMCounters(values: values)
    }
}

/// One reading of ksmd's global counters, by their sysfs names.
public struct KSMCounters: Sendable, Equatable {
    /// The counters read, by name.
    public let values: [String: Int]

    /// The counters in the order they are printed.
    public static let names = [
        "full_scans", "pages_scanned", "pages_shared", "pages_sharing", "pages_unshared", "pages_volatile",
        "pages_skipped", "ksm_zero_pages", "stable_node_chains", "stable_node_dups", "general_profit",
    ]

    /// The counters that stay put once ksmd has converged on static memory.
    public static let converged = [
        "pages_shared", "pages_sharing", "ksm_zero_pages", "stable_node_chains", "stable_node_dups", "general_profit",
    ]

    /// A counter's value, 0 if the kernel lacks it.
    public subscript(name: String) -> Int { values[name] ?? 0 }

    /// The converged counters only, for comparing readings.
    public var settled: [Int] { Self.converged.map { self[$0] } }
}
