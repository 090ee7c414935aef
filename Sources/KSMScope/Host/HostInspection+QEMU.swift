extension HostInspection {
    /// One line per running QEMU process: what KSM does for it, and whether its RAM can merge.
    var qemuChecks: [HostCheck] {
        guard !qemu.isEmpty else {
            return [HostCheck(.qemu, "qemu", .ok, read: "no qemu-system-* process", detail: "No guest runs here now.")]
        }
        return qemu.map(check)
    }

    /// The line for one QEMU process, `qemu:PID:NAME`.
    private func check(_ guest: QEMUGuestRAM) -> HostCheck {
        let name = "qemu:\(guest.process.pid)" + (guest.process.name.map { ":\($0)" } ?? "")
        var status = HostCheck.Status.ok
        var read: [String] = []
        var detail: [String] = []
        var fix: [String] = []

        switch guest.ksmStat {
        case .value(let stat):
            read.append(
                "ksm_merging_pages \(stat.ksmMergingPages.map(String.init) ?? "?"), ksm_process_profit "
                    + (stat.ksmProcessProfit.map { Figures.bytes($0) } ?? "?"))
            if let profit = stat.ksmProcessProfit, profit < 0 {
                status = max(status, .warn)
                detail.append(
                    "Its rmap items cost more than its merged pages save (ksm_process_profit < 0): "
                        + "restart it unmerged (libvirt: <memoryBacking><nosharepages/>).")
                fix.append("restart this guest with -machine mem-merge=off")
            }
        case .missing:
            read.append("no ksm_stat")
        case .unreadable:
            read.append("ksm_stat unreadable")
        }

        let options = guest.options
        var hugetlb = options.hugetlbfs
        var shared = options.shared
        var notMergeable = options.mergeOff
        switch guest.mappings {
        case .value:
            if let totals = guest.totals {
                let parts = [QEMUGuestRAM.Backing.anonymous, .hugetlb, .shared, .file].compactMap { backing in
                    totals.bytes[backing].map { "\(Figures.bytes($0)) \(backing.rawValue)" }
                }
                read.append(
                    parts.isEmpty
                        ? "no guest RAM mapping of 64 MiB or more"
                        : "RAM " + parts.joined(separator: " + ") + ", \(Figures.bytes(totals.mergeable)) mergeable")
                hugetlb = totals.bytes[.hugetlb] != nil
                shared = totals.bytes[.shared] != nil
                let ordinary = (totals.bytes[.anonymous] ?? 0) + (totals.bytes[.file] ?? 0)
                notMergeable = ordinary > 0 && totals.mergeable < ordinary
            }
        case .missing(let path), .unreadable(let path, _):
            status = max(status, .warn)
            read.append("smaps unreadable")
            detail.append("Its mappings were not read (\(guest.mappings.problem ?? path)): judged from its command line only.")
            if guest.mappings.isUnreadable { fix.append("run ksmscope host as root") }
        }
        if options.mergeOff { read.append("mem-merge=off") }
        if hugetlb {
            status = max(status, .warn)
            detail.append(
                "Its RAM is on hugetlbfs: KSM never merges it (vma_ksm_compatible() refuses VM_HUGETLB). "
                    + "Huge pages and KSM exclude each other; choose per guest (Nova hw:mem_page_size).")
        }
        if shared {
            status = max(status, .warn)
            detail.append("Its RAM is shared memory (share=on): KSM never merges it (VM_SHARED).")
        }
        if notMergeable && !hugetlb && !shared {
            status = max(status, .warn)
            detail.append(
                "Its RAM is not marked mergeable (mem-merge=off, libvirt <memoryBacking><nosharepages/>): "
                    + "ksmd never scans it.")
            fix.append("restart the guest without mem-merge=off")
        }
        read.append(options.balloon ? "virtio-balloon" : "no virtio-balloon")
        detail.append(
            options.balloon
                ? "A virtio-balloon device lets the host take memory back from the guest."
                : "No virtio-balloon device: under memory pressure the host can only swap this guest's memory.")
        if status == .ok && !hugetlb && !shared && !notMergeable {
            detail.insert("Its RAM can merge.", at: 0)
        }
        return HostCheck(.qemu, name, status, read: read.joined(separator: "; "), fix: fix, detail: detail.joined(separator: " "))
    }
}
