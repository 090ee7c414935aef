extension HostInspection {
    /// Swap, `vm.swappiness`, `vm.overcommit_memory`, and the memory unmerging would need.
    var overcommitChecks: [HostCheck] { [swapCheck, swappinessCheck, overcommitMemoryCheck, unmergeRiskCheck] }

    /// `swap`: `SwapTotal` and `SwapFree`.
    private var swapCheck: HostCheck {
        guard let meminfo = memory.value else { return .notRead(.overcommit, "swap", memory.problem ?? "") }
        guard let total = meminfo.bytes("SwapTotal"), let free = meminfo.bytes("SwapFree") else {
            return HostCheck(.overcommit, "swap", .warn, read: "no SwapTotal in meminfo", detail: "Swap could not be read.")
        }
        let read = "SwapTotal \(Figures.bytes(total)), SwapFree \(Figures.bytes(free)) (\(Figures.bytes(total - free)) used)"
        return HostCheck(
            .overcommit, "swap", .ok, read: read,
            detail: total == 0
                ? "No swap: when memory runs out (guests writing to merged pages, or unmerging) the OOM killer ends processes."
                : "Swap takes guest memory the host cannot hold, at the cost of the guests' speed.")
    }

    /// `swappiness`: `vm.swappiness`.
    private var swappinessCheck: HostCheck {
        guard let value = sysctls.swappiness.value else {
            return .notRead(.overcommit, "swappiness", sysctls.swappiness.problem ?? "")
        }
        return HostCheck(
            .overcommit, "swappiness", .ok, read: "vm.swappiness \(value)",
            detail: "How readily anonymous memory, guest RAM included, is swapped rather than page cache dropped (0 to 200; 60 by default).")
    }

    /// `overcommit_memory`: `vm.overcommit_memory`, with `CommitLimit` and `Committed_AS`.
    private var overcommitMemoryCheck: HostCheck {
        guard let mode = sysctls.overcommitMemory.value else {
            return .notRead(.overcommit, "overcommit_memory", sysctls.overcommitMemory.problem ?? "")
        }
        let meaning = [0: "heuristic", 1: "always", 2: "strict"][mode] ?? "unknown"
        var read = "vm.overcommit_memory \(mode) (\(meaning))"
        if mode == 2, let ratio = sysctls.overcommitRatio.value { read += ", vm.overcommit_ratio \(ratio)" }
        if let meminfo = memory.value, let limit = meminfo.bytes("CommitLimit"), let committed = meminfo.bytes("Committed_AS") {
            read += ", CommitLimit \(Figures.bytes(limit)), Committed_AS \(Figures.bytes(committed))"
        }
        if mode == 2 {
            return HostCheck(
                .overcommit, "overcommit_memory", .warn, read: read, fix: ["sysctl -w vm.overcommit_memory=0"],
                detail: "Strict accounting: every guest's RAM counts in full against CommitLimit whatever KSM merges, "
                    + "so memory KSM saves cannot admit more guests.")
        }
        return HostCheck(
            .overcommit, "overcommit_memory", mode <= 2 ? .ok : .warn, read: read,
            detail: mode == 1
                ? "Every allocation succeeds; memory runs out only when it is touched."
                : "Allocations are refused only when clearly larger than RAM plus swap: guests can be started beyond RAM.")
    }

    /// `unmerge_risk`: what `echo 2 > run` would need back now, against free memory and swap.
    private var unmergeRiskCheck: HostCheck {
        guard let need = unmergeBytes else {
            return .notRead(.overcommit, "unmerge_risk", ksm.counters.compactMap(\.value.problem).first ?? "pages_sharing unreadable")
        }
        guard let meminfo = memory.value else { return .notRead(.overcommit, "unmerge_risk", memory.problem ?? "") }
        let available = meminfo.bytes("MemAvailable") ?? meminfo.bytes("MemFree") ?? 0
        let availableName = meminfo.bytes("MemAvailable") != nil ? "MemAvailable" : "MemFree"
        let swap = meminfo.bytes("SwapFree") ?? 0
        guard ksm.available else {
            return HostCheck(.overcommit, "unmerge_risk", .ok, read: "no KSM", detail: "Nothing is merged.")
        }
        let read =
            "echo 2 > run needs \(Figures.bytes(need)) (pages_sharing + ksm_zero_pages); "
            + "\(availableName) \(Figures.bytes(available)), SwapFree \(Figures.bytes(swap))"
        let stop = "echo 0 > /sys/kernel/mm/ksm/run"
        if need == 0 {
            return HostCheck(.overcommit, "unmerge_risk", .ok, read: read, detail: "Nothing is merged: stopping KSM needs no memory.")
        }
        if need > available + swap {
            return HostCheck(
                .overcommit, "unmerge_risk", .fail, read: read, fix: [stop],
                detail: "Unmerging everything (echo 2 > run) would need "
                    + "\(Figures.bytes(need - available - swap)) more than free memory and swap hold: the OOM killer would "
                    + "end guests. Stop KSM with echo 0 (merged pages stay merged), or add memory or swap first.")
        }
        if need > available {
            return HostCheck(
                .overcommit, "unmerge_risk", .warn, read: read, fix: [stop],
                detail: "Unmerging everything would push \(Figures.bytes(need - available)) of guest memory into swap. "
                    + "Stop KSM with echo 0 instead (merged pages stay merged).")
        }
        return HostCheck(
            .overcommit, "unmerge_risk", .ok, read: read,
            detail: "Free memory covers unmerging everything (echo 2 > run).")
    }
}
