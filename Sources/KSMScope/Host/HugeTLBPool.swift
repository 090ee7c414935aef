/// One pool of reserved (hugetlbfs) huge pages, `/sys/kernel/mm/hugepages/hugepages-SIZEkB`.
public struct HugeTLBPool: Sendable, Equatable {
    /// The folder read.
    public var folder: String
    /// Bytes per huge page (2 MiB and 1 GiB on x86_64).
    public var pageBytes: Int
    /// `nr_hugepages`: pages reserved for hugetlbfs (`HugePages_Total` for the default size).
    public var total: HostReading<Int>
    /// `free_hugepages`: reserved pages no mapping holds (`HugePages_Free`).
    public var free: HostReading<Int>
    /// `resv_hugepages`: free pages promised to mappings that have not touched them yet
    /// (`HugePages_Rsvd`).
    public var reserved: HostReading<Int>
    /// `surplus_hugepages`: pages above `nr_hugepages` allocated by overcommit (`HugePages_Surp`).
    public var surplus: HostReading<Int>

    /// Pages in use or promised: `total - free + reserved`; nil when a count is unreadable.
    public var usedPages: Int? {
        guard let total = total.value, let free = free.value, let reserved = reserved.value else { return nil }
        return total - free + reserved
    }

    /// A short name of the size: `2MiB`, `1GiB`, `64KiB`.
    public var sizeName: String {
        pageBytes >= 1 << 30 && pageBytes % (1 << 30) == 0
            ? "\(pageBytes >> 30)GiB" : pageBytes >= 1 << 20 ? "\(pageBytes >> 20)MiB" : "\(pageBytes >> 10)KiB"
    }

    /// The pools under `roots`, smallest page first; empty without hugetlbfs.
    public static func read(_ roots: HostRoots) -> [HugeTLBPool] {
        let parent = roots.sys("kernel/mm/hugepages")
        return KernelFile.entries(parent).compactMap { entry -> HugeTLBPool? in
            guard entry.hasPrefix("hugepages-"), entry.hasSuffix("kB"),
                let kib = Int(entry.dropFirst("hugepages-".count).dropLast(2))
            else { return nil }
            let folder = parent + "/" + entry
            return HugeTLBPool(
                folder: folder, pageBytes: kib << 10, total: KernelFile.integer(folder + "/nr_hugepages"),
                free: KernelFile.integer(folder + "/free_hugepages"), reserved: KernelFile.integer(folder + "/resv_hugepages"),
                surplus: KernelFile.integer(folder + "/surplus_hugepages"))
        }.sorted { $0.pageBytes < $1.pageBytes }
    }
}
