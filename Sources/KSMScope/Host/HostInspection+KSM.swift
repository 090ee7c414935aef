import Foundation

extension HostInspection {
    /// KSM: `run`, scan rate, every tunable, the advisor, the counters, `general_profit`,
    /// ksmd's CPU time, and the read-only counters people try to reset.
    var ksmChecks: [HostCheck] {
        guard ksm.available else {
            return [
                HostCheck(
                    .ksm, "run", .warn, read: "\(ksm.folder) does not exist", fix: ["boot a kernel built with CONFIG_KSM=y"],
                    detail: "The kernel has no KSM: nothing is merged, and ksmscope's predictions cannot be applied here.")
            ]
        }
        if let unread = (ksm.tunables + ksm.advisor + ksm.counters).first(where: { $0.value.isUnreadable }),
            ksm.run.value == nil
        {
            // Nothing of KSM could be read (a tree with every file closed): one line says so.
            return [.notRead(.ksm, "run", ksm.run.problem ?? unread.value.problem ?? "")]
        }
        return [runCheck, scanRateCheck, tunablesCheck, advisorCheck, countersCheck, generalProfitCheck, ksmdCheck, readOnlyCountersCheck]
    }

    /// `run`.
    private var runCheck: HostCheck {
        guard let run = ksm.run.value else { return .notRead(.ksm, "run", ksm.run.problem ?? "") }
        let start = "echo 1 > /sys/kernel/mm/ksm/run"
        switch run {
        case 1:
            return HostCheck(.ksm, "run", .ok, read: "run 1", detail: "ksmd is merging.")
        case 0:
            return HostCheck(
                .ksm, "run", .warn, read: "run 0", fix: [start],
                detail: "KSM is stopped: nothing new is merged; pages already merged stay merged. "
                    + "Nothing to do if it is meant to be off.")
        case 2:
            return HostCheck(
                .ksm, "run", .warn, read: "run 2", fix: [start],
                detail: "KSM is stopped and every merged page was unmerged. Nothing to do if it is meant to be off.")
        default:
            return HostCheck(.ksm, "run", .warn, read: "run \(run)", detail: "An unknown value; the kernel takes 0, 1 and 2.")
        }
    }

    /// `scan_rate`: `pages_to_scan`, `sleep_millisecs`, `smart_scan`, and how fast that scans.
    private var scanRateCheck: HostCheck {
        let names = ["pages_to_scan", "sleep_millisecs", "smart_scan"]
        let settings = ksm.tunables.filter { names.contains($0.name) }
        if let unread = settings.first(where: { $0.value.isUnreadable }) {
            return .notRead(.ksm, "scan_rate", unread.value.problem ?? "")
        }
        guard let pages = ksm.integer("pages_to_scan"), let sleep = ksm.integer("sleep_millisecs") else {
            return HostCheck(.ksm, "scan_rate", .warn, read: KernelSetting.list(settings), detail: "pages_to_scan or sleep_millisecs is missing.")
        }
        var detail: String
        if sleep == 0 {
            detail = "ksmd scans \(pages) pages per batch without sleeping: it takes a whole CPU while it has work."
        } else {
            let perSecond = Double(pages) * 1000 / Double(sleep)
            detail =
                "At most \(Int(perSecond.rounded())) pages/s (\(Figures.bytes(Int(perSecond) * pageBytes))/s): "
                + "\(pages) pages, then a sleep of at least \(sleep) ms."
            let mergeable = qemu.compactMap { $0.totals?.mergeable }.reduce(0, +)
            if mergeable > 0 {
                let seconds = Double(mergeable / pageBytes) / perSecond
                detail += " A full scan of the QEMU guests' mergeable RAM (\(Figures.bytes(mergeable))) takes at least \(Self.duration(seconds))."
            } else {
                detail += " A full scan of 1 GiB takes at least \(Self.duration(Double((1 << 30) / pageBytes) / perSecond))."
            }
        }
        if ksm.text("advisor_mode") == "scan-time" {
            detail += " The scan-time advisor sets pages_to_scan (see advisor)."
        }
        if ksm.integer("smart_scan") == 1 {
            detail += " smart_scan 1 skips pages that did not merge in recent scans."
        }
        return HostCheck(.ksm, "scan_rate", .ok, read: KernelSetting.list(settings), detail: detail)
    }

    /// `tunables`: every other control file.
    private var tunablesCheck: HostCheck {
        let settings = ksm.tunables.filter { !["pages_to_scan", "sleep_millisecs", "smart_scan"].contains($0.name) }
        if let unread = settings.first(where: { $0.value.isUnreadable }) {
            return .notRead(.ksm, "tunables", unread.value.problem ?? "")
        }
        var detail = "max_page_sharing caps the mappings of one KSM page (a content with more copies takes more KSM pages)."
        if ksm.integer("use_zero_pages") == 1 {
            detail += " use_zero_pages 1: all-zero pages are mapped to the kernel's zero page (ksm_zero_pages)."
        }
        if ksm.integer("merge_across_nodes") == 1 {
            detail += " merge_across_nodes 1: pages of different NUMA nodes merge, and some guests then read remote memory."
        }
        return HostCheck(.ksm, "tunables", .ok, read: KernelSetting.list(settings), detail: detail)
    }

    /// `advisor`: the scan-time advisor (6.8+).
    private var advisorCheck: HostCheck {
        guard !ksm.advisor.isEmpty else {
            return HostCheck(.ksm, "advisor", .ok, read: "no advisor_mode", detail: "No scan-time advisor (kernels before 6.8).")
        }
        if let unread = ksm.advisor.first(where: { $0.value.isUnreadable }) {
            return .notRead(.ksm, "advisor", unread.value.problem ?? "")
        }
        let mode = ksm.text("advisor_mode") ?? "?"
        let detail =
            mode == "scan-time"
            ? "After each full scan the advisor sets pages_to_scan so that a full scan takes advisor_target_scan_time "
                + "seconds, within advisor_max_cpu percent of one CPU."
            : "The advisor is off: pages_to_scan stays as set."
        return HostCheck(.ksm, "advisor", .ok, read: KernelSetting.list(ksm.advisor), detail: detail)
    }

    /// `counters`: every counter.
    private var countersCheck: HostCheck {
        if let unread = ksm.counters.first(where: { $0.value.isUnreadable }) {
            return .notRead(.ksm, "counters", unread.value.problem ?? "")
        }
        let sharing = ksm.integer("pages_sharing") ?? 0
        let zero = ksm.integer("ksm_zero_pages") ?? 0
        return HostCheck(
            .ksm, "counters", .ok, read: KernelSetting.list(ksm.counters.filter { $0.name != "general_profit" }),
            detail: "Saved now: \(Figures.bytes((sharing + zero) * pageBytes)) (pages_sharing + ksm_zero_pages). "
                + "pages_shared counts the KSM pages kept, pages_unshared pages with no match yet, pages_volatile "
                + "pages changing too fast to merge.")
    }

    /// `general_profit`: what KSM saves minus its rmap items.
    private var generalProfitCheck: HostCheck {
        guard let setting = ksm.counters.first(where: { $0.name == "general_profit" }) else {
            return HostCheck(
                .ksm, "general_profit", .ok, read: "no general_profit", detail: "Not provided by this kernel (before 6.1).")
        }
        guard let profit = setting.value.value.flatMap({ Int($0) }) else {
            return .notRead(.ksm, "general_profit", setting.value.problem ?? "not an integer")
        }
        let read = "general_profit \(profit) (\(Figures.bytes(profit)))"
        if profit < 0 {
            return HostCheck(
                .ksm, "general_profit", .warn, read: read,
                fix: ["echo 0 > /sys/kernel/mm/ksm/run"],
                detail: "KSM costs more memory than it saves: each scanned page costs a \(KSMTunables.rmapItemBytes)-byte "
                    + "rmap item, and too few pages merge to pay for them. Stop KSM, or stop merging the guests "
                    + "whose ksm_process_profit is negative (QEMU -machine mem-merge=off).")
        }
        return HostCheck(
            .ksm, "general_profit", .ok, read: read,
            detail: "Memory saved minus KSM's own rmap items (\(KSMTunables.rmapItemBytes) bytes per scanned page).")
    }

    /// `ksmd_cpu`: ksmd's CPU time so far.
    private var ksmdCheck: HostCheck {
        guard let ksmd else {
            return HostCheck(
                .ksm, "ksmd_cpu", .warn, read: "no ksmd thread in \(roots.proc)",
                detail: "KSM's folder exists but no process is named ksmd.")
        }
        guard let nanoseconds = ksmd.cpuNanoseconds.value else {
            return .notRead(.ksm, "ksmd_cpu", ksmd.cpuNanoseconds.problem ?? "")
        }
        var read = "ksmd pid \(ksmd.pid): " + String(format: "%.3f s", Double(nanoseconds) / 1e9) + " on CPU (\(ksmd.source))"
        if let share = ksmd.averageCPUShare, let seconds = ksmd.runningSeconds {
            read += String(format: ", %.2f %% of one CPU over %@", share * 100, Self.duration(seconds))
        }
        return HostCheck(
            .ksm, "ksmd_cpu", .ok, read: read,
            detail: "ksmd's CPU time since it started; the share depends on pages_to_scan and sleep_millisecs.")
    }

    /// `read_only_counters`: the common mistake of writing 0 to `pages_shared` or `pages_sharing`.
    private var readOnlyCountersCheck: HostCheck {
        let read = ["pages_shared", "pages_sharing"].map { "\($0) \(ksm.counterPermissions[$0] ?? "?")" }.joined(separator: ", ")
        let need = unmergeBytes.map { ": \(Figures.bytes($0)) now, see unmerge_risk" } ?? ""
        return HostCheck(
            .ksm, "read_only_counters", .ok, read: read,
            detail: "pages_shared and pages_sharing are read-only counters: writing 0 to them changes nothing "
                + "(the kernel refuses the write, even for root). "
                + "To stop KSM, echo 0 > /sys/kernel/mm/ksm/run (merged pages stay merged) or "
                + "echo 2 > /sys/kernel/mm/ksm/run (unmerge everything, which needs a page back for every "
                + "pages_sharing and ksm_zero_pages\(need)).")
    }

    /// A duration in the largest fitting unit: `45 s`, `12.5 min`, `3.2 h`, `2.1 days`.
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: String(format: "%.0f s", seconds)
        case ..<7200: String(format: "%.1f min", seconds / 60)
        case ..<172_800: String(format: "%.1f h", seconds / 3600)
        default: String(format: "%.1f days", seconds / 86400)
        }
    }
}
