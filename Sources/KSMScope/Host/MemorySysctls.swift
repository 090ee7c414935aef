/// The `vm.` sysctls that decide how memory is overcommitted and swapped (`/proc/sys/vm`).
public struct MemorySysctls: Sendable, Equatable {
    /// `vm.swappiness`: how readily anonymous memory (guest RAM) is swapped, 0 to 200.
    public var swappiness: HostReading<Int>
    /// `vm.overcommit_memory`: 0 heuristic, 1 always, 2 strict accounting against `CommitLimit`.
    public var overcommitMemory: HostReading<Int>
    /// `vm.overcommit_ratio`: the share of RAM in `CommitLimit` under mode 2, in percent.
    public var overcommitRatio: HostReading<Int>

    /// Reads the sysctls under `roots`.
    public static func read(_ roots: HostRoots) -> MemorySysctls {
        MemorySysctls(
            swappiness: KernelFile.integer(roots.proc("sys/vm/swappiness")),
            overcommitMemory: KernelFile.integer(roots.proc("sys/vm/overcommit_memory")),
            overcommitRatio: KernelFile.integer(roots.proc("sys/vm/overcommit_ratio")))
    }
}
