/// How one QEMU process holds its guest's RAM, and what KSM does for it now.
public struct QEMUGuestRAM: Sendable, Equatable {
    /// The process, with its command line.
    public var process: QEMUProcesses.Process
    /// What the command line asks for.
    public var options: QEMUMemoryOptions
    /// `/proc/PID/ksm_stat` (root only; kernels from 6.1).
    public var ksmStat: HostReading<LiveProcessReport.KSMStat>
    /// The guest RAM mappings found in `/proc/PID/smaps` (needs ptrace rights: root).
    public var mappings: HostReading<[Mapping]>

    /// A guest RAM mapping: readable, writable, not executable and at least
    /// ``LiveMemorySelection/qemuDefault``'s 64 MiB, which in QEMU is guest RAM only.
    public struct Mapping: Sendable, Equatable {
        /// Its size in bytes.
        public var bytes: Int
        /// How it is backed.
        public var backing: Backing
        /// Whether it is marked mergeable (`mg` in `VmFlags`): ksmd scans it.
        public var mergeable: Bool
    }

    /// How a guest RAM mapping is backed, which decides whether KSM can merge it.
    public enum Backing: String, Sendable, Equatable {
        /// Private anonymous memory: what KSM merges, once marked mergeable.
        case anonymous
        /// hugetlbfs (`ht` in `VmFlags`): never merged (`vma_ksm_compatible()` refuses `VM_HUGETLB`).
        case hugetlb
        /// Shared memory (`share=on`, memfd or file): never merged (`VM_SHARED`).
        case shared
        /// A private file mapping: only pages the guest has written are anonymous and mergeable.
        case file
    }

    /// Guest RAM bytes by backing, and how much of it is marked mergeable.
    public var totals: (bytes: [Backing: Int], mergeable: Int)? {
        guard let mappings = mappings.value else { return nil }
        var bytes: [Backing: Int] = [:]
        for mapping in mappings { bytes[mapping.backing, default: 0] += mapping.bytes }
        return (bytes, mappings.filter(\.mergeable).reduce(0) { $0 + $1.bytes })
    }

    /// Reads every running QEMU process under `roots` (``QEMUProcesses/find(procRoot:)``), by pid.
    public static func readAll(_ roots: HostRoots) -> [QEMUGuestRAM] {
        let mounts = HugetlbfsMounts.read(roots)
        return QEMUProcesses.find(procRoot: roots.proc).map { process in
            let folder = roots.proc("\(process.pid)")
            return QEMUGuestRAM(
                process: process, options: QEMUMemoryOptions(arguments: process.arguments, hugetlbfsMounts: mounts),
                ksmStat: KernelFile.text(folder + "/ksm_stat").map(LiveProcessReport.KSMStat.init(text:)),
                mappings: KernelFile.text(folder + "/smaps").map(Self.guestRAM(smaps:)))
        }
    }

    /// The guest RAM mappings of a process's `/proc/PID/smaps` text.
    static func guestRAM(smaps text: String) -> [Mapping] {
        let flags = ProcessMapping.vmFlags(smaps: text)
        return ProcessMapping.parse(maps: text).compactMap { mapping in
            guard mapping.isReadable, mapping.isWritable, !mapping.isExecutable,
                mapping.size >= LiveMemorySelection.qemuDefault.minimumBytes
            else { return nil }
            let vmFlags = flags[mapping.start] ?? []
            let backing: Backing =
                vmFlags.contains("ht") ? .hugetlb
                : !mapping.isPrivate ? .shared : mapping.isAnonymous ? .anonymous : .file
            return Mapping(bytes: mapping.size, backing: backing, mergeable: vmFlags.contains("mg"))
        }
    }
}

/// The mount points of hugetlbfs file systems (`/proc/mounts`), to tell a `mem-path` on huge
/// pages from one on an ordinary file system.
enum HugetlbfsMounts {
    /// The mount points, or nil when `/proc/mounts` cannot be read.
    static func read(_ roots: HostRoots) -> [String]? {
        KernelFile.text(roots.proc("mounts")).value.map { text in
            text.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                return fields.count >= 3 && fields[2] == "hugetlbfs" ? String(fields[1]) : nil
            }
        }
    }
}
