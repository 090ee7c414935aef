/// One line of `ksmscope host`: a check an operator would run by hand, its verdict, what was
/// read and what fixes it.
public struct HostCheck: Sendable, Equatable, Codable {
    /// The part of the host checked.
    public var area: Area
    /// A stable identifier within the area, such as `cpu_flags`, `run` or `unmerge_risk`; per
    /// QEMU process `qemu:PID:NAME` (`qemu:PID` without `-name`).
    public var name: String
    /// The verdict.
    public var status: Status
    /// What was read, with the kernel's names and values (or which file could not be read).
    public var read: String
    /// What fixes it: shell commands as an operator would type them (as root), or an action in
    /// words where no command does; empty when there is nothing to fix.
    public var fix: [String]
    /// What the reading means for the guests and for KSM.
    public var detail: String

    /// Creates a check.
    public init(_ area: Area, _ name: String, _ status: Status, read: String, fix: [String] = [], detail: String) {
        self.area = area
        self.name = name
        self.status = status
        self.read = read
        self.fix = fix
        self.detail = detail
    }

    /// The parts of the host, in the order they are printed.
    public enum Area: String, Sendable, Equatable, Codable, CaseIterable {
        /// Hardware memory virtualization: CPU flags and the KVM modules.
        case virtualization
        /// Transparent and reserved (hugetlbfs) huge pages.
        case hugePages = "huge_pages"
        /// KSM: `run`, tunables, advisor, counters, ksmd's CPU time.
        case ksm
        /// Each running QEMU process: KSM's effect on it and whether its RAM can merge.
        case qemu
        /// Swap, the overcommit sysctls and the memory unmerging would need.
        case overcommit
    }

    /// A verdict.
    public enum Status: String, Sendable, Equatable, Codable, Comparable {
        /// As it should be, or only information.
        case ok
        /// Worth a look: KSM saves less than it could, a setting is unusual, or a file could not
        /// be read. Does not change the exit status.
        case warn
        /// Broken or dangerous: guests run without hardware-assisted paging, or unmerging would
        /// need more memory than there is. Makes the exit status 1.
        case fail

        public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }

        private var rank: Int {
            switch self {
            case .ok: 0
            case .warn: 1
            case .fail: 2
            }
        }
    }

    /// The check for a reading that gave no value: warn, naming the file and why; as root when
    /// the reason is a permission.
    static func notRead(_ area: Area, _ name: String, _ problem: String) -> HostCheck {
        let denied = problem.contains("Permission denied") || problem.contains("Operation not permitted")
        return HostCheck(
            area, name, .warn, read: problem, fix: denied ? ["run ksmscope host as root"] : [],
            detail: "Not checked: the file could not be read.")
    }
}
