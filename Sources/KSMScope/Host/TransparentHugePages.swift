/// Transparent huge pages as `/sys/kernel/mm/transparent_hugepage` sets them.
public struct TransparentHugePages: Sendable, Equatable {
    /// The folder read.
    public var folder: String
    /// Whether the folder exists (a kernel without `CONFIG_TRANSPARENT_HUGEPAGE` has none).
    public var available: Bool
    /// `enabled`: `always`, `madvise` or `never`.
    public var enabled: HostReading<String>
    /// `defrag`: `always`, `defer`, `defer+madvise`, `madvise` or `never`.
    public var defrag: HostReading<String>
    /// khugepaged's settings and counters (`khugepaged/`): `defrag`, `pages_to_scan`,
    /// `scan_sleep_millisecs`, `max_ptes_none`, `pages_collapsed`, `full_scans`.
    public var khugepaged: [KernelSetting]

    /// khugepaged's files shown, in this order.
    public static let khugepagedNames = [
        "defrag", "pages_to_scan", "scan_sleep_millisecs", "alloc_sleep_millisecs", "max_ptes_none", "pages_collapsed",
        "full_scans",
    ]

    /// Reads the folder under `roots`.
    public static func read(_ roots: HostRoots) -> TransparentHugePages {
        let folder = roots.sys("kernel/mm/transparent_hugepage")
        return TransparentHugePages(
            folder: folder, available: KernelFile.exists(folder), enabled: KernelFile.value(folder + "/enabled"),
            defrag: KernelFile.value(folder + "/defrag"),
            khugepaged: KernelSetting.read(khugepagedNames, in: folder + "/khugepaged"))
    }
}
