extension HostInspection {
    /// Transparent huge pages, khugepaged and the hugetlbfs pools, with what they mean for KSM.
    var hugePageChecks: [HostCheck] {
        [thpEnabledCheck, thpDefragCheck, khugepagedCheck] + hugeTLBChecks
    }

    /// `thp_enabled`: `transparent_hugepage/enabled`.
    private var thpEnabledCheck: HostCheck {
        let thp = transparentHugePages
        guard thp.available else {
            return HostCheck(
                .hugePages, "thp_enabled", .warn, read: "\(thp.folder) does not exist",
                fix: ["boot a kernel built with CONFIG_TRANSPARENT_HUGEPAGE=y"],
                detail: "No transparent huge pages: guest RAM is mapped in base pages only, with more TLB misses "
                    + "and page-table memory. KSM itself is unaffected.")
        }
        guard let enabled = thp.enabled.value else { return .notRead(.hugePages, "thp_enabled", thp.enabled.problem ?? "") }
        let ksm =
            "KSM and THP pull against each other: ksmd splits a transparent huge page when it merges one of its "
            + "pages, and khugepaged does not collapse a range holding KSM pages, so guest RAM that merges loses "
            + "its huge-page backing there."
        switch enabled {
        case "never":
            return HostCheck(
                .hugePages, "thp_enabled", .warn, read: "enabled \(enabled)",
                fix: ["echo madvise > /sys/kernel/mm/transparent_hugepage/enabled"],
                detail: "No transparent huge pages: guest RAM is mapped in base pages only, with more TLB misses. "
                    + "QEMU asks for them on guest RAM (MADV_HUGEPAGE), so madvise suffices. " + ksm)
        case "always", "madvise":
            return HostCheck(
                .hugePages, "thp_enabled", .ok, read: "enabled \(enabled)",
                detail: (enabled == "madvise"
                    ? "Guest RAM gets transparent huge pages: QEMU asks for them (MADV_HUGEPAGE). "
                    : "Every process gets transparent huge pages, guest RAM included. ") + ksm)
        default:
            return HostCheck(
                .hugePages, "thp_enabled", .warn, read: "enabled \(enabled)",
                detail: "An unknown setting; the kernel documents always, madvise and never.")
        }
    }

    /// `thp_defrag`: `transparent_hugepage/defrag`.
    private var thpDefragCheck: HostCheck {
        let thp = transparentHugePages
        guard thp.available else {
            return HostCheck(.hugePages, "thp_defrag", .ok, read: "no transparent huge pages", detail: "Nothing to defragment.")
        }
        guard let defrag = thp.defrag.value else { return .notRead(.hugePages, "thp_defrag", thp.defrag.problem ?? "") }
        let meaning =
            switch defrag {
            case "always": "A fault that finds no free huge page stalls for direct reclaim and compaction in every process."
            case "defer": "Compaction is left to kswapd and kcompactd; faults do not stall."
            case "defer+madvise": "Regions that asked for huge pages (guest RAM) stall for compaction; others defer it."
            case "madvise": "Only regions that asked for huge pages (guest RAM) stall for reclaim and compaction (the default)."
            case "never": "Faults never stall for compaction; khugepaged collapses pages later."
            default: "An unknown setting."
            }
        return HostCheck(.hugePages, "thp_defrag", .ok, read: "defrag \(defrag)", detail: meaning)
    }

    /// `khugepaged`: its settings and counters.
    private var khugepagedCheck: HostCheck {
        let thp = transparentHugePages
        guard thp.available, !thp.khugepaged.isEmpty else {
            return HostCheck(.hugePages, "khugepaged", .ok, read: "no khugepaged", detail: "No transparent huge pages to collapse.")
        }
        if let unread = thp.khugepaged.first(where: { $0.value.isUnreadable }) {
            return .notRead(.hugePages, "khugepaged", unread.value.problem ?? "")
        }
        return HostCheck(
            .hugePages, "khugepaged", .ok, read: KernelSetting.list(thp.khugepaged),
            detail: "khugepaged collapses base pages into huge pages in the background, but never a range "
                + "holding KSM pages.")
    }

    /// `hugetlb_SIZE` per pool (`hugetlb` when there is none).
    private var hugeTLBChecks: [HostCheck] {
        guard !hugeTLBPools.isEmpty else {
            return [
                HostCheck(
                    .hugePages, "hugetlb", .ok, read: "no hugetlb pools",
                    detail: "No memory is reserved as huge pages (kernel without hugetlbfs).")
            ]
        }
        return hugeTLBPools.map { pool in
            let name = "hugetlb_\(pool.sizeName)"
            guard let total = pool.total.value, let used = pool.usedPages else {
                let problem = [pool.total, pool.free, pool.reserved].compactMap(\.problem).first ?? ""
                return .notRead(.hugePages, name, problem)
            }
            let read =
                "HugePages_Total \(total), HugePages_Free \(pool.free.value ?? 0), HugePages_Rsvd \(pool.reserved.value ?? 0), "
                + "HugePages_Surp \(pool.surplus.value ?? 0) (\(pool.sizeName) pages)"
            let bytes = Figures.bytes(total * pool.pageBytes)
            if total == 0 {
                return HostCheck(
                    .hugePages, name, .ok, read: read,
                    detail: "None reserved: guest RAM is ordinary memory that KSM can merge.")
            }
            if used == 0 {
                return HostCheck(
                    .hugePages, name, .warn, read: read,
                    fix: ["echo 0 > \(standardPath(pool.folder))/nr_hugepages"],
                    detail: "\(bytes) is reserved as huge pages and none is used: memory no guest and no merge can use. "
                        + "Keep only as many as hugetlbfs guests need.")
            }
            return HostCheck(
                .hugePages, name, .ok, read: read,
                detail: "\(Figures.bytes(used * pool.pageBytes)) of \(bytes) holds hugetlbfs memory (guests with Nova "
                    + "hw:mem_page_size=large or libvirt <hugepages/>): KSM never merges it (vma_ksm_compatible() "
                    + "refuses VM_HUGETLB).")
        }
    }

    /// A path read under the roots as it is on a host (`/sys/...`, `/proc/...`), for fix commands.
    func standardPath(_ path: String) -> String {
        if !roots.sysfs.isEmpty, path.hasPrefix(roots.sysfs + "/") { return "/sys" + path.dropFirst(roots.sysfs.count) }
        if !roots.proc.isEmpty, path.hasPrefix(roots.proc + "/") { return "/proc" + path.dropFirst(roots.proc.count) }
        return path
    }
}
