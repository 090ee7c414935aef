/// Where `ksmscope host` reads the kernel's files: `/sys` and `/proc`, or copies of them
/// (`--sysfs-root`, `--proc-root`: tests, or trees collected from another host).
public struct HostRoots: Sendable, Equatable {
    /// The folder read as `/sys`.
    public var sysfs: String
    /// The folder read as `/proc`.
    public var proc: String

    /// Uses `sysfs` as `/sys` and `proc` as `/proc` (trailing slashes dropped).
    public init(sysfs: String = "/sys", proc: String = "/proc") {
        self.sysfs = Self.trimmed(sysfs)
        self.proc = Self.trimmed(proc)
    }

    /// The path of `relative` (such as `kernel/mm/ksm`) under the sysfs root.
    public func sys(_ relative: String) -> String { sysfs + "/" + relative }

    /// The path of `relative` (such as `meminfo`) under the proc root.
    public func proc(_ relative: String) -> String { proc + "/" + relative }

    /// A folder without its trailing slashes; `/` becomes the empty prefix, so paths stay `/sys/...`.
    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
