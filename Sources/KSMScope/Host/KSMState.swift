/// Everything `/sys/kernel/mm/ksm` shows: `run`, every tunable, the advisor and the counters.
public struct KSMState: Sendable, Equatable {
    /// The folder read.
    public var folder: String
    /// Whether the folder exists (a kernel without `CONFIG_KSM` has none).
    public var available: Bool
    /// `run`: 0 stopped (merged pages stay merged), 1 merging, 2 stopped and unmerged.
    public var run: HostReading<Int>
    /// Every other control file, in the folder's order: `pages_to_scan`, `sleep_millisecs`,
    /// `max_page_sharing`, `merge_across_nodes`, `use_zero_pages`, `smart_scan`,
    /// `stable_node_chains_prune_millisecs`, and any a newer kernel adds.
    public var tunables: [KernelSetting]
    /// The scan-time advisor (6.8+): `advisor_mode` first, then its `advisor_*` parameters.
    public var advisor: [KernelSetting]
    /// The counters of ``KSMCounters/names`` the kernel has, in that order.
    public var counters: [KernelSetting]
    /// The permission bits of `pages_shared` and `pages_sharing` (`r--r--r--`: read-only).
    public var counterPermissions: [String: String]

    /// Reads the folder through ``KSMSysfs`` under `roots`.
    public static func read(_ roots: HostRoots) -> KSMState {
        let sysfs = KSMSysfs(root: roots.sys("kernel/mm/ksm"))
        let names = KernelFile.entries(sysfs.root)
        let counterNames = KSMCounters.names.filter(names.contains)
        let advisorNames = names.filter { $0.hasPrefix("advisor_") }.sorted { a, b in
            a == "advisor_mode" || (b != "advisor_mode" && a < b)
        }
        let tunableNames = names.filter { $0 != "run" && !KSMCounters.names.contains($0) && !$0.hasPrefix("advisor_") }
        var permissions: [String: String] = [:]
        for name in ["pages_shared", "pages_sharing"] {
            permissions[name] = KernelFile.permissions(sysfs.root + "/" + name)
        }
        return KSMState(
            folder: sysfs.root, available: KernelFile.exists(sysfs.root), run: KernelFile.integer(sysfs.root + "/run"),
            tunables: KernelSetting.read(tunableNames, in: sysfs.root),
            advisor: KernelSetting.read(advisorNames, in: sysfs.root),
            counters: KernelSetting.read(counterNames, in: sysfs.root), counterPermissions: permissions)
    }

    /// A tunable's or advisor setting's value as an integer; nil when absent or unreadable.
    public func integer(_ name: String) -> Int? {
        (tunables + advisor + counters).first { $0.name == name }?.value.value.flatMap { Int($0) }
    }

    /// A setting's text (such as `advisor_mode`); nil when absent or unreadable.
    public func text(_ name: String) -> String? {
        (tunables + advisor + counters).first { $0.name == name }?.value.value
    }
}
