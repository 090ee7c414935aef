import Foundation

@testable import KSMScope

/// A made-up `/sys` and `/proc` in a temporary folder, for `ksmscope host --sysfs-root --proc-root`.
///
/// The file contents copy what the kernel writes (formats of 6.x kernels: choice files with the
/// selected value in brackets, `Name:   N kB` meminfo lines, NUL-separated command lines).
final class FakeHostTree {
    let folder: TemporaryFolder
    /// The folder read as `/sys`.
    let sys: String
    /// The folder read as `/proc`.
    let proc: String

    init() throws {
        folder = try TemporaryFolder()
        sys = folder.path + "/sys"
        proc = folder.path + "/proc"
        try FileManager.default.createDirectory(atPath: sys, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: proc, withIntermediateDirectories: true)
    }

    /// The roots to read.
    var roots: HostRoots { HostRoots(sysfs: sys, proc: proc) }

    /// Writes `text` to `path` under the tree (`sys/...` or `proc/...`), creating its folders.
    func write(_ path: String, _ text: String) throws {
        let file = folder.path + "/" + path
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }

    /// Removes a file or folder of the tree.
    func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: folder.path + "/" + path) }

    /// Makes a file unreadable for everyone but root (mode 000).
    func closeFile(_ path: String) { chmod(folder.path + "/" + path, 0) }

    /// Lets other users read the tree (the test folder is created by root).
    func openFolders() {
        for path in [folder.path] + ((FileManager.default.subpaths(atPath: folder.path)) ?? []).map({ folder.path + "/" + $0 }) {
            var status = stat()
            if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { chmod(path, 0o755) }
        }
        chmod(folder.path, 0o755)
    }

    // MARK: Parts of a host

    /// `/proc/cpuinfo` with two processors (only the first is read).
    func cpuinfo(vendor: String, flags: [String], vmxFlags: [String] = []) throws {
        var block = """
            processor\t: 0
            vendor_id\t: \(vendor)
            model name\t: Test CPU
            flags\t\t: fpu vme de pse tsc msr pae \(flags.joined(separator: " "))

            """
        if !vmxFlags.isEmpty { block = block.replacingOccurrences(of: "\n\n", with: "\nvmx flags\t: \(vmxFlags.joined(separator: " "))\n\n") }
        try write("proc/cpuinfo", block + block.replacingOccurrences(of: "processor\t: 0", with: "processor\t: 1"))
    }

    /// `/sys/module/kvm` and a vendor module with its paging parameters.
    func kvm(module: String?, parameters: [String: String] = [:], others: [String] = []) throws {
        try write("sys/module/kvm/parameters/halt_poll_ns", "200000\n")
        if let module {
            try write("sys/module/\(module)/initstate", "live\n")
            for (name, value) in parameters { try write("sys/module/\(module)/parameters/\(name)", value + "\n") }
        }
        for other in others { try write("sys/module/\(other)/initstate", "live\n") }
    }

    /// `/sys/kernel/mm/transparent_hugepage` with `enabled` set to `enabled`.
    func transparentHugePages(enabled: String) throws {
        let choices = ["always", "madvise", "never"].map { $0 == enabled ? "[\($0)]" : $0 }.joined(separator: " ")
        try write("sys/kernel/mm/transparent_hugepage/enabled", choices + "\n")
        try write("sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never\n")
        for (name, value) in [
            ("defrag", "1"), ("pages_to_scan", "4096"), ("scan_sleep_millisecs", "10000"),
            ("alloc_sleep_millisecs", "60000"), ("max_ptes_none", "511"), ("pages_collapsed", "3"), ("full_scans", "12"),
        ] {
            try write("sys/kernel/mm/transparent_hugepage/khugepaged/\(name)", value + "\n")
        }
    }

    /// A hugetlb pool of `kib`-KiB pages.
    func hugePool(kib: Int, total: Int, free: Int, reserved: Int = 0) throws {
        let folder = "sys/kernel/mm/hugepages/hugepages-\(kib)kB"
        try write("\(folder)/nr_hugepages", "\(total)\n")
        try write("\(folder)/free_hugepages", "\(free)\n")
        try write("\(folder)/resv_hugepages", "\(reserved)\n")
        try write("\(folder)/surplus_hugepages", "0\n")
    }

    /// `/proc/meminfo` (sizes in KiB) and the `vm.` sysctls.
    func memory(
        totalKiB: Int = 65_536_000, availableKiB: Int, swapTotalKiB: Int, swapFreeKiB: Int, overcommit: Int = 0,
        hugePages: (total: Int, free: Int) = (0, 0)
    ) throws {
        try write(
            "proc/meminfo",
            """
            MemTotal:       \(totalKiB) kB
            MemFree:        \(availableKiB / 2) kB
            MemAvailable:   \(availableKiB) kB
            SwapTotal:      \(swapTotalKiB) kB
            SwapFree:       \(swapFreeKiB) kB
            CommitLimit:    \(totalKiB / 2 + swapTotalKiB) kB
            Committed_AS:   1234567 kB
            AnonHugePages:  2048 kB
            HugePages_Total:     \(hugePages.total)
            HugePages_Free:      \(hugePages.free)
            HugePages_Rsvd:        0
            HugePages_Surp:        0
            Hugepagesize:       2048 kB

            """)
        try write("proc/sys/vm/swappiness", "60\n")
        try write("proc/sys/vm/overcommit_memory", "\(overcommit)\n")
        try write("proc/sys/vm/overcommit_ratio", "50\n")
        try write("proc/sys/kernel/osrelease", "6.8.0-test\n")
    }

    /// `/sys/kernel/mm/ksm` of a 6.8 kernel, and the ksmd thread (pid 37).
    func ksm(run: Int, pagesShared: Int, pagesSharing: Int, zeroPages: Int = 0, generalProfit: Int? = nil, advisor: String = "none")
        throws
    {
        let values: [(String, String)] = [
            ("run", "\(run)"), ("pages_to_scan", "100"), ("sleep_millisecs", "20"), ("max_page_sharing", "256"),
            ("merge_across_nodes", "1"), ("use_zero_pages", "0"), ("smart_scan", "1"),
            ("stable_node_chains_prune_millisecs", "2000"),
            ("advisor_mode", advisor == "none" ? "[none] scan-time" : "none [scan-time]"), ("advisor_max_cpu", "70"),
            ("advisor_target_scan_time", "200"), ("advisor_min_pages_to_scan", "500"),
            ("advisor_max_pages_to_scan", "30000"), ("full_scans", "42"), ("pages_scanned", "123456"),
            ("pages_shared", "\(pagesShared)"), ("pages_sharing", "\(pagesSharing)"), ("pages_unshared", "1000"),
            ("pages_volatile", "10"), ("pages_skipped", "0"), ("ksm_zero_pages", "\(zeroPages)"),
            ("stable_node_chains", "0"), ("stable_node_dups", "0"),
            ("general_profit", "\(generalProfit ?? (pagesSharing + zeroPages) * 4096 - 1000 * 64)"),
        ]
        for (name, value) in values { try write("sys/kernel/mm/ksm/\(name)", value + "\n") }
        for name in ["pages_shared", "pages_sharing"] { chmod(sys + "/kernel/mm/ksm/\(name)", 0o444) }
        // ksmd: 1.5 s of CPU; started 2 s after boot (200 ticks at USER_HZ 100), uptime 1002 s.
        try write("proc/37/comm", "ksmd\n")
        try write("proc/37/cmdline", "")
        try write(
            "proc/37/stat",
            "37 (ksmd) S 2 0 0 0 -1 2097216 0 0 0 0 0 150 0 0 25 5 1 0 200 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        )
        try write("proc/37/schedstat", "1500000000 2000000 4000\n")
        try write("proc/uptime", "1002.00 900.00\n")
    }

    /// A QEMU process: its command line, `ksm_stat`, and `smaps` with one guest RAM mapping of
    /// `ramMiB` MiB (`VmFlags` as given: `mg` mergeable, `ht` hugetlbfs).
    func qemu(pid: Int, arguments: [String], ramMiB: Int, vmFlags: [String], shared: Bool = false, ksmStat: String) throws {
        try write("proc/\(pid)/cmdline", arguments.joined(separator: "\u{0}") + "\u{0}")
        try write("proc/\(pid)/comm", "qemu-system-x86\n")
        try write("proc/\(pid)/ksm_stat", ksmStat)
        let start = 0x7f00_0000_0000
        let end = start + ramMiB << 20
        let file = vmFlags.contains("ht") ? "00:2d 1234   /dev/hugepages/libvirt/qemu/ram" : "00:00 0"
        try write(
            "proc/\(pid)/smaps",
            """
            55d0c0000000-55d0c0100000 r-xp 00000000 08:01 4242   /usr/bin/qemu-system-x86_64
            Size:               1024 kB
            VmFlags: rd ex mr mw me
            55d0c1000000-55d0c1200000 rw-p 00000000 00:00 0      [heap]
            Size:               2048 kB
            VmFlags: rd wr mr mw me ac
            \(String(start, radix: 16))-\(String(end, radix: 16)) rw-\(shared ? "s" : "p") 00000000 \(file)
            Size:           \(ramMiB << 10) kB
            KernelPageSize:        4 kB
            VmFlags: rd wr mr mw me ac \(vmFlags.joined(separator: " "))

            """)
    }

    /// `/proc/mounts` with a hugetlbfs at `/dev/hugepages`.
    func mounts() throws {
        try write(
            "proc/mounts",
            "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\nhugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n")
    }

    // MARK: Whole hosts

    /// An Intel host with everything on: VT-x, EPT, VPID, kvm_intel with both, THP on madvise,
    /// a 2 MiB pool used by a hugetlbfs guest, KSM running with `pagesSharing` pages saved, and
    /// two QEMU guests (web1 mergeable with a balloon, db on hugetlbfs).
    static func intel(pagesSharing: Int = 100_000, availableKiB: Int = 32_000_000, swapFreeKiB: Int = 8_000_000) throws
        -> FakeHostTree
    {
        let tree = try FakeHostTree()
        try tree.cpuinfo(vendor: "GenuineIntel", flags: ["vmx", "ept", "vpid", "flexpriority"], vmxFlags: ["ept", "vpid", "unrestricted_guest"])
        try tree.kvm(module: "kvm_intel", parameters: ["ept": "Y", "vpid": "Y"])
        try tree.transparentHugePages(enabled: "madvise")
        try tree.hugePool(kib: 2048, total: 1024, free: 0)
        try tree.hugePool(kib: 1_048_576, total: 0, free: 0)
        try tree.memory(
            availableKiB: availableKiB, swapTotalKiB: 8_000_000, swapFreeKiB: swapFreeKiB, hugePages: (1024, 0))
        try tree.ksm(run: 1, pagesShared: 2000, pagesSharing: pagesSharing)
        try tree.mounts()
        try tree.qemu(
            pid: 1000,
            arguments: [
                "/usr/bin/qemu-system-x86_64", "-name", "guest=web1,debug-threads=on", "-machine",
                "pc-q35-7.2,usb=off,dump-guest-core=off", "-m", "4096", "-device",
                #"{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.5","addr":"0x0"}"#,
            ], ramMiB: 4096, vmFlags: ["mg"],
            ksmStat: "ksm_rmap_items 1048576\nksm_zero_pages 0\nksm_merging_pages 60000\nksm_process_profit 178651136\nksm_merge_any: no\nksm_mergeable: yes\n"
        )
        try tree.qemu(
            pid: 1001,
            arguments: [
                "/usr/bin/qemu-system-x86_64", "-name", "guest=db", "-m", "2048", "-object",
                #"{"qom-type":"memory-backend-file","id":"ram-node0","mem-path":"/dev/hugepages/libvirt/qemu/2-db","prealloc":true,"size":2147483648}"#,
            ], ramMiB: 2048, vmFlags: ["ht"],
            ksmStat: "ksm_rmap_items 0\nksm_zero_pages 0\nksm_merging_pages 0\nksm_process_profit 0\nksm_merge_any: no\nksm_mergeable: no\n")
        try tree.write("proc/1/comm", "systemd\n")
        try tree.write("proc/1/cmdline", "/sbin/init\u{0}")
        return tree
    }

    /// An AMD host: AMD-V with NPT, kvm_amd with `npt` (`1`, as older kernels write it, or as
    /// given), THP off, KSM stopped, strict overcommit, no QEMU process.
    static func amd(npt: String = "1") throws -> FakeHostTree {
        let tree = try FakeHostTree()
        try tree.cpuinfo(vendor: "AuthenticAMD", flags: ["svm", "npt", "lbrv", "nrip_save"])
        try tree.kvm(module: "kvm_amd", parameters: ["npt": npt])
        try tree.transparentHugePages(enabled: "never")
        try tree.hugePool(kib: 2048, total: 512, free: 512)
        try tree.hugePool(kib: 1_048_576, total: 0, free: 0)
        try tree.memory(availableKiB: 16_000_000, swapTotalKiB: 0, swapFreeKiB: 0, overcommit: 2, hugePages: (512, 512))
        try tree.ksm(run: 0, pagesShared: 10, pagesSharing: 20)
        return tree
    }

    /// A host with nothing: a CPU without virtualization, no kvm module, no THP, no hugetlbfs
    /// pools, no KSM; only cpuinfo, meminfo and the sysctls.
    static func bare() throws -> FakeHostTree {
        let tree = try FakeHostTree()
        try tree.cpuinfo(vendor: "GenuineIntel", flags: ["sse2", "hypervisor"])
        try tree.memory(availableKiB: 1_000_000, swapTotalKiB: 0, swapFreeKiB: 0)
        try tree.write("sys/module/loop/parameters/max_loop", "0\n")
        return tree
    }
}
