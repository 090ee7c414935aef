#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Everything `ksmscope host` reads from `/sys` and `/proc`, typed; ``checks`` turns it into
/// the lines an operator reads.
///
/// Reading never fails as a whole: each part records a file that is missing (the kernel lacks
/// the feature) or unreadable (most files of other users' processes need root), and the checks
/// say so.
public struct HostInspection: Sendable, Equatable {
    /// Where the files were read.
    public var roots: HostRoots
    /// The kernel release (`/proc/sys/kernel/osrelease`).
    public var kernelRelease: HostReading<String>
    /// The base page size of this machine, in bytes.
    public var pageBytes: Int
    /// `/proc/cpuinfo`.
    public var cpu: HostReading<CPUInfo>
    /// `/sys/module/kvm*`.
    public var kvm: KVMModules
    /// `/sys/kernel/mm/transparent_hugepage`.
    public var transparentHugePages: TransparentHugePages
    /// `/sys/kernel/mm/hugepages/hugepages-*`: each size's `HugePages_Total`, `_Free`, `_Rsvd`
    /// and `_Surp` (which `/proc/meminfo` shows for the default size only).
    public var hugeTLBPools: [HugeTLBPool]
    /// `/proc/meminfo`.
    public var memory: HostReading<MemInfo>
    /// `/proc/sys/vm/swappiness`, `overcommit_memory`, `overcommit_ratio`.
    public var sysctls: MemorySysctls
    /// `/sys/kernel/mm/ksm`.
    public var ksm: KSMState
    /// The ksmd thread, nil when there is none.
    public var ksmd: KSMDaemon?
    /// The running QEMU processes, by pid.
    public var qemu: [QEMUGuestRAM]

    /// Reads everything under `roots`.
    public static func read(_ roots: HostRoots = HostRoots()) -> HostInspection {
        HostInspection(
            roots: roots, kernelRelease: KernelFile.value(roots.proc("sys/kernel/osrelease")),
            pageBytes: Int(sysconf(Int32(_SC_PAGESIZE))), cpu: CPUInfo.read(roots), kvm: KVMModules.read(roots),
            transparentHugePages: TransparentHugePages.read(roots), hugeTLBPools: HugeTLBPool.read(roots), memory: MemInfo.read(roots),
            sysctls: MemorySysctls.read(roots), ksm: KSMState.read(roots), ksmd: KSMDaemon.find(roots),
            qemu: QEMUGuestRAM.readAll(roots))
    }

    /// Every check, area by area in ``HostCheck/Area`` order.
    public var checks: [HostCheck] {
        virtualizationChecks + hugePageChecks + ksmChecks + qemuChecks + overcommitChecks
    }

    /// The memory that `echo 2 > /sys/kernel/mm/ksm/run` would need back now, in bytes: a page
    /// for each mapping of a KSM page beyond the first (`pages_sharing`) and for each page KSM
    /// mapped to the zero page (`ksm_zero_pages`; `break_ksm()` copies those too); nil when
    /// the counters cannot be read.
    public var unmergeBytes: Int? {
        guard ksm.available else { return 0 }
        guard let sharing = ksm.integer("pages_sharing") else { return nil }
        return (sharing + (ksm.integer("ksm_zero_pages") ?? 0)) * pageBytes
    }
}
