import Foundation
import Testing

@testable import KSMScope

/// `ksmscope host` against made-up `/sys` and `/proc` trees (Intel with everything on, AMD, a
/// host with nothing, unreadable files) and on this machine.
@Suite("ksmscope host")
struct HostCheckTests {
    /// The check named `name`.
    func check(_ checks: [HostCheck], _ name: String) throws -> HostCheck {
        try #require(checks.first { $0.name == name }, "no check \(name) in \(checks.map(\.name))")
    }

    /// Checks `tree` through the library.
    func checks(_ tree: FakeHostTree) -> [HostCheck] { HostInspection.read(tree.roots).checks }

    @Test("an Intel host with everything on: every line ok but the hugetlbfs guest")
    func intelHost() throws {
        let tree = try FakeHostTree.intel()
        let checks = checks(tree)
        #expect(checks.map(\.area) == checks.map(\.area).sorted { HostCheck.Area.allCases.firstIndex(of: $0)! < HostCheck.Area.allCases.firstIndex(of: $1)! })
        #expect(Set(checks.map(\.name)).count == checks.count, "names are unique")

        let cpu = try check(checks, "cpu_flags")
        #expect(cpu.status == .ok)
        #expect(cpu.read == "GenuineIntel: vmx, ept, vpid")
        let kvm = try check(checks, "kvm_module")
        #expect(kvm.status == .ok)
        #expect(kvm.read == "kvm loaded; kvm_intel ept Y, vpid Y")
        #expect(try check(checks, "thp_enabled").read == "enabled madvise")
        #expect(try check(checks, "thp_enabled").detail.contains("splits a transparent huge page"))
        #expect(try check(checks, "thp_defrag").read == "defrag madvise")
        #expect(try check(checks, "khugepaged").read.hasPrefix("defrag 1, pages_to_scan 4096, scan_sleep_millisecs 10000"))
        let pool = try check(checks, "hugetlb_2MiB")
        #expect(pool.status == .ok)
        #expect(pool.read == "HugePages_Total 1024, HugePages_Free 0, HugePages_Rsvd 0, HugePages_Surp 0 (2MiB pages)")
        #expect(pool.detail.contains("2.00 GiB of 2.00 GiB holds hugetlbfs memory"))
        #expect(pool.detail.contains("KSM never merges it"))
        #expect(try check(checks, "hugetlb_1GiB").status == .ok)

        #expect(try check(checks, "run").status == .ok)
        let rate = try check(checks, "scan_rate")
        #expect(rate.read == "pages_to_scan 100, sleep_millisecs 20, smart_scan 1")
        // 100 pages per 20 ms: 5000 pages/s; web1's 4 GiB mergeable RAM is 1 Mi pages: 209.7 s.
        #expect(rate.detail.contains("At most 5000 pages/s"))
        #expect(rate.detail.contains("mergeable RAM (4.00 GiB) takes at least 3.5 min"))
        let tunables = try check(checks, "tunables")
        #expect(tunables.read == "max_page_sharing 256, merge_across_nodes 1, stable_node_chains_prune_millisecs 2000, use_zero_pages 0")
        #expect(try check(checks, "advisor").read.hasPrefix("advisor_mode none, advisor_max_cpu 70"))
        let counters = try check(checks, "counters")
        #expect(counters.read.contains("pages_shared 2000, pages_sharing 100000"))
        #expect(counters.detail.hasPrefix("Saved now: 390.62 MiB"))
        let profit = try check(checks, "general_profit")
        #expect(profit.status == .ok)
        #expect(profit.read.hasPrefix("general_profit \(100_000 * 4096 - 64_000) "))
        let ksmd = try check(checks, "ksmd_cpu")
        // 1.5 s of CPU over 1002 s of uptime minus a start at 2 s.
        #expect(ksmd.read == "ksmd pid 37: 1.500 s on CPU (schedstat), 0.15 % of one CPU over 16.7 min")
        #expect(try check(checks, "read_only_counters").read == "pages_shared r--r--r--, pages_sharing r--r--r--")
        #expect(try check(checks, "read_only_counters").detail.contains("echo 2 > /sys/kernel/mm/ksm/run"))

        let web = try check(checks, "qemu:1000:web1")
        #expect(web.status == .ok)
        #expect(web.read == "ksm_merging_pages 60000, ksm_process_profit 170.38 MiB; RAM 4.00 GiB anonymous, 4.00 GiB mergeable; virtio-balloon")
        let db = try check(checks, "qemu:1001:db")
        #expect(db.status == .warn)
        #expect(db.read == "ksm_merging_pages 0, ksm_process_profit 0 B; RAM 2.00 GiB hugetlb, 0 B mergeable; no virtio-balloon")
        #expect(db.detail.contains("hugetlbfs: KSM never merges it"))

        #expect(try check(checks, "swap").read == "SwapTotal 7.63 GiB, SwapFree 7.63 GiB (0 B used)")
        #expect(try check(checks, "swappiness").read == "vm.swappiness 60")
        #expect(try check(checks, "overcommit_memory").status == .ok)
        #expect(try check(checks, "unmerge_risk").status == .ok)
        let report = HostReport(HostInspection.read(tree.roots))
        #expect(report.passed)
        #expect(report.summary.fail == 0 && report.summary.warn == 1 && report.summary.status == .warn)
        #expect(report.host.kernel == "6.8.0-test")
    }

    @Test("an AMD host: NPT found, THP off, KSM stopped, an unused pool, strict overcommit: warnings only")
    func amdHost() throws {
        let checks = checks(try FakeHostTree.amd())
        #expect(try check(checks, "cpu_flags").read == "AuthenticAMD: svm, npt")
        #expect(try check(checks, "cpu_flags").status == .ok)
        #expect(try check(checks, "kvm_module").read == "kvm loaded; kvm_amd npt 1")
        #expect(try check(checks, "kvm_module").status == .ok)
        let thp = try check(checks, "thp_enabled")
        #expect(thp.status == .warn)
        #expect(thp.fix == ["echo madvise > /sys/kernel/mm/transparent_hugepage/enabled"])
        let pool = try check(checks, "hugetlb_2MiB")
        #expect(pool.status == .warn)
        // The fix names the host's path, not the test tree's.
        #expect(pool.fix == ["echo 0 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"])
        #expect(pool.detail.hasPrefix("1.00 GiB is reserved as huge pages and none is used"))
        let run = try check(checks, "run")
        #expect(run.status == .warn)
        #expect(run.fix == ["echo 1 > /sys/kernel/mm/ksm/run"])
        let overcommit = try check(checks, "overcommit_memory")
        #expect(overcommit.status == .warn)
        #expect(overcommit.read.hasPrefix("vm.overcommit_memory 2 (strict), vm.overcommit_ratio 50, CommitLimit"))
        #expect(try check(checks, "qemu").read == "no qemu-system-* process")
        #expect(!checks.contains { $0.status == .fail })
    }

    /// Variations of the Intel host's paging: CPU flags and kvm_intel parameters.
    @Test(
        "hardware paging: no EPT or ept=N fails (shadow page tables), no VPID warns",
        arguments: [
            (["vmx", "ept", "vpid"], "Y", "Y", HostCheck.Status.ok, HostCheck.Status.ok),
            (["vmx", "vpid"], "Y", "Y", .fail, .ok),
            (["vmx", "ept"], "Y", "Y", .warn, .ok),
            (["vmx", "ept", "vpid"], "N", "Y", .ok, .fail),
            (["vmx", "ept", "vpid"], "Y", "N", .ok, .warn),
            (["sse2"], "Y", "Y", .fail, .ok),
        ])
    func intelPaging(flags: [String], ept: String, vpid: String, cpuStatus: HostCheck.Status, moduleStatus: HostCheck.Status)
        throws
    {
        let tree = try FakeHostTree.intel()
        try tree.cpuinfo(vendor: "GenuineIntel", flags: flags)
        try tree.kvm(module: "kvm_intel", parameters: ["ept": ept, "vpid": vpid])
        let checks = checks(tree)
        let cpu = try check(checks, "cpu_flags")
        #expect(cpu.status == cpuStatus, "\(cpu)")
        if !flags.contains("ept") { #expect(cpu.detail.contains("shadow page tables")) }
        let module = try check(checks, "kvm_module")
        #expect(module.status == moduleStatus, "\(module)")
        if ept == "N" {
            #expect(module.detail.contains("shadow page tables"))
            #expect(module.fix.first == "echo 'options kvm_intel ept=Y vpid=Y' > /etc/modprobe.d/kvm.conf")
        }
    }

    @Test("AMD with npt=N fails; flags only in 'vmx flags' still count")
    func pagingVariants() throws {
        let amd = try FakeHostTree.amd(npt: "N")
        let module = try check(checks(amd), "kvm_module")
        #expect(module.status == .fail)
        #expect(module.fix.first == "echo 'options kvm_amd npt=Y' > /etc/modprobe.d/kvm.conf")

        let info = CPUInfo(text: "vendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\nvmx flags\t: ept vpid ept_ad\n\nvendor_id\t: Other\n")
        #expect(info.vendor == "GenuineIntel")
        #expect(info.flags.isSuperset(of: ["vmx", "ept", "vpid", "fpu"]))
        #expect(info.family == .vmx)
        #expect(CPUInfo(text: "vendor_id : HygonGenuine\nflags : fpu\n").family == .svm)
        #expect(CPUInfo(text: "processor : 0\nBogoMIPS : 50.00\nFeatures : fp asimd\n").family == nil)
    }

    @Test("a host with nothing (no kvm, no THP, no hugetlbfs, no KSM): the right lines, exit status 1")
    func bareHost() throws {
        let tree = try FakeHostTree.bare()
        let checks = checks(tree)
        let cpu = try check(checks, "cpu_flags")
        #expect(cpu.status == .fail)
        #expect(cpu.read == "GenuineIntel: no vmx, no ept, no vpid; hypervisor (this host is a VM)")
        #expect(cpu.fix == ["expose vmx to this VM on its host (QEMU: -cpu host)"])
        let kvm = try check(checks, "kvm_module")
        #expect(kvm.status == .fail)
        #expect(kvm.read == "kvm not loaded; kvm_intel not loaded")
        #expect(kvm.fix == ["enable vmx first (see cpu_flags), then: modprobe kvm_intel"])
        let thp = try check(checks, "thp_enabled")
        #expect(thp.status == .warn)
        #expect(thp.read == "\(tree.sys)/kernel/mm/transparent_hugepage does not exist")
        #expect(try check(checks, "hugetlb").read == "no hugetlb pools")
        // KSM: one line, nothing else read.
        let ksm = checks.filter { $0.area == .ksm }
        #expect(ksm.map(\.name) == ["run"])
        #expect(ksm.first?.status == .warn)
        #expect(ksm.first?.read == "\(tree.sys)/kernel/mm/ksm does not exist")
        #expect(try check(checks, "unmerge_risk").read == "no KSM")
        #expect(try check(checks, "qemu").status == .ok)

        let outcome = try CommandRunner.run(["host", "--sysfs-root", tree.sys, "--proc-root", tree.proc])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.isEmpty)
        #expect(outcome.stdout.contains("\n2 fail, "))
    }

    @Test("an empty tree: every check says what is missing, never a crash")
    func emptyTree() throws {
        let tree = try FakeHostTree()
        let checks = checks(tree)
        #expect(Set(checks.map(\.area)) == Set(HostCheck.Area.allCases))
        #expect(try check(checks, "cpu_flags").read == "\(tree.proc)/cpuinfo does not exist")
        #expect(try check(checks, "swap").read == "\(tree.proc)/meminfo does not exist")
        #expect(try check(checks, "swap").status == .warn)
        let outcome = try CommandRunner.run(["host", "--format", "json", "--sysfs-root", tree.sys, "--proc-root", tree.proc])
        #expect(outcome.status == 1)  // no kvm
        #expect(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) is [String: Any])
    }

    /// The unmerge risk against a brute-force reference: `echo 2 > run` needs a page for every
    /// pages_sharing and ksm_zero_pages; ok within MemAvailable, warn within MemAvailable +
    /// SwapFree, fail beyond.
    @Test(
        "unmerge risk: pages_sharing + ksm_zero_pages against MemAvailable and SwapFree",
        arguments: [(0, 0), (250_000, 0), (250_001, 0), (250_100, 0), (250_101, 0), (250_000, 101), (1_000_000, 7)])
    func unmergeRisk(sharing: Int, zeroPages: Int) throws {
        // 1,000,000 KiB available = 250,000 pages; 400 KiB of swap = 100 pages.
        let tree = try FakeHostTree.intel(pagesSharing: sharing, availableKiB: 1_000_000, swapFreeKiB: 400)
        try tree.ksm(run: 1, pagesShared: 10, pagesSharing: sharing, zeroPages: zeroPages)
        let need = (sharing + zeroPages) * 4096
        let expected: HostCheck.Status =
            need <= 1_000_000 * 1024 ? .ok : need <= (1_000_000 + 400) * 1024 ? .warn : .fail
        let risk = try check(checks(tree), "unmerge_risk")
        #expect(risk.status == expected, "\(risk)")
        #expect(risk.read.hasPrefix("echo 2 > run needs \(Figures.bytes(need)) "))
        if expected != .ok { #expect(risk.fix == ["echo 0 > /sys/kernel/mm/ksm/run"]) }
    }

    @Test("a negative general_profit and a guest costing more than it saves warn")
    func negativeProfit() throws {
        let tree = try FakeHostTree.intel()
        try tree.ksm(run: 1, pagesShared: 1, pagesSharing: 2, generalProfit: -500_000)
        try tree.write("proc/1000/ksm_stat", "ksm_rmap_items 9000\nksm_merging_pages 3\nksm_process_profit -564000\n")
        let checks = checks(tree)
        #expect(try check(checks, "general_profit").status == .warn)
        #expect(try check(checks, "general_profit").fix == ["echo 0 > /sys/kernel/mm/ksm/run"])
        let web = try check(checks, "qemu:1000:web1")
        #expect(web.status == .warn)
        #expect(web.fix == ["restart this guest with -machine mem-merge=off"])
    }

    @Test("QEMU command lines: mem-merge=off, merge:false, share=on, hugetlb=on, mem-path on hugetlbfs, virtio-balloon")
    func qemuOptions() {
        let mounts = ["/dev/hugepages", "/mnt/huge1G"]
        func options(_ arguments: [String], mounts: [String]? = mounts) -> QEMUMemoryOptions {
            QEMUMemoryOptions(arguments: ["qemu-system-x86_64"] + arguments, hugetlbfsMounts: mounts)
        }
        #expect(options(["-machine", "pc,mem-merge=off"]).mergeOff)
        #expect(!options(["-machine", "pc,mem-merge=on"]).mergeOff)
        #expect(options(["-object", #"{"qom-type":"memory-backend-ram","id":"pc.ram","merge":false,"size":1024}"#]).mergeOff)
        #expect(options(["-object", "memory-backend-memfd,id=m,size=1G,share=on"]).shared)
        #expect(options(["-object", "memory-backend-memfd,id=m,size=1G,hugetlb=on"]).hugetlbfs)
        #expect(options(["-mem-path", "/dev/hugepages/vm1"]).hugetlbfs)
        #expect(!options(["-mem-path", "/dev/shm/vm1"]).hugetlbfs)
        #expect(options(["-object", "memory-backend-file,id=m,mem-path=/mnt/huge1G/x,size=1G"]).hugetlbfs)
        #expect(!options(["-object", "memory-backend-file,id=m,mem-path=/mnt/huge1Gx/x,size=1G"]).hugetlbfs)
        #expect(options(["-mem-path", "/srv/hugepages/vm"], mounts: nil).hugetlbfs)
        #expect(options(["-device", "virtio-balloon-pci,id=balloon0"]).balloon)
        #expect(!options(["-device", "virtio-net-pci"]).balloon)
    }

    @Test("--format json: one object with host, checks and summary; text fits 80 columns")
    func commandLine() throws {
        let tree = try FakeHostTree.intel()
        let json = try CommandRunner.run(["host", "--format", "json", "--sysfs-root", tree.sys, "--proc-root", tree.proc])
        #expect(json.status == 0)
        #expect(json.stderr.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["host", "checks", "summary"])
        let host = try #require(object["host"] as? [String: Any])
        #expect(Set(host.keys) == ["kernel", "page_size", "sysfs_root", "proc_root"])
        #expect(host["sysfs_root"] as? String == tree.sys)
        let checks = try #require(object["checks"] as? [[String: Any]])
        for check in checks {
            #expect(Set(check.keys) == ["area", "name", "status", "read", "fix", "detail"])
            #expect(["ok", "warn", "fail"].contains(check["status"] as? String ?? ""))
        }
        let decoded = try JSONDecoder().decode(HostReport.self, from: Data(json.stdout.utf8))
        #expect(decoded == HostReport(HostInspection.read(tree.roots)))
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["fail"] as? Int == 0)
        #expect(summary["status"] as? String == "warn")

        let text = try CommandRunner.run(["host", "--sysfs-root", tree.sys, "--proc-root", tree.proc])
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n")
        for line in lines where !line.hasPrefix("        fix: ") && !line.hasPrefix("             ") {
            #expect(line.count <= 80, "\(line)")
        }
        #expect(lines.contains { $0.hasPrefix("  ok    cpu_flags           GenuineIntel: vmx, ept, vpid") })
        #expect(lines.contains { $0.hasPrefix("  warn  qemu:1001:db        ksm_merging_pages 0") })
        #expect(lines.last == "0 fail, 1 warn, \(decoded.summary.ok) ok: exit status 0 (warnings do not change it)")
    }

    @Test("bad options: one line, exit 64")
    func badOptions() throws {
        for (arguments, message) in [
            (["host", "--sysfs-root", "/nonexistent-ksmscope"], "--sysfs-root /nonexistent-ksmscope: no such folder"),
            (["host", "--proc-root", "/etc/hostname"], "--proc-root /etc/hostname: no such folder"),
            (["host", "--format", "csv"], "--format csv is not offered by host"),
        ] {
            let outcome = try CommandRunner.run(arguments)
            #expect(outcome.status == 64, "\(arguments)")
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        }
    }

    @Test(
        "unreadable files (as an unprivileged user): each says which file and that root is needed",
        .executable, .privilegeDrop
    )
    func unreadableFiles() throws {
        let tree = try FakeHostTree.intel()
        tree.openFolders()
        let closed = [
            "proc/cpuinfo": "cpu_flags", "sys/module/kvm_intel/parameters/ept": "kvm_module",
            "sys/kernel/mm/transparent_hugepage/enabled": "thp_enabled",
            "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "hugetlb_2MiB",
            "sys/kernel/mm/ksm/pages_to_scan": "scan_rate", "sys/kernel/mm/ksm/pages_sharing": "counters",
            "proc/37/schedstat": "ksmd_cpu", "proc/meminfo": "swap", "proc/sys/vm/swappiness": "swappiness",
        ]
        for path in closed.keys { tree.closeFile(path) }
        tree.closeFile("proc/1000/smaps")
        tree.closeFile("proc/1000/ksm_stat")
        let outcome = try CommandRunner.run(
            ["host", "--format", "json", "--sysfs-root", tree.sys, "--proc-root", tree.proc], asUser: 65534)
        #expect(outcome.stderr.isEmpty, "\(outcome.stderr)")
        #expect(outcome.status == 0)
        let report = try JSONDecoder().decode(HostReport.self, from: Data(outcome.stdout.utf8))
        for (path, name) in closed {
            let check = try check(report.checks, name)
            #expect(check.status == .warn, "\(check)")
            #expect(check.read == "cannot read \(tree.folder.path)/\(path): Permission denied", "\(check)")
            #expect(check.fix == ["run ksmscope host as root"])
        }
        #expect(try check(report.checks, "unmerge_risk").status == .warn)
        let web = try check(report.checks, "qemu:1000:web1")
        #expect(web.status == .warn)
        #expect(web.read == "ksm_stat unreadable; smaps unreadable; virtio-balloon")
        #expect(web.fix == ["run ksmscope host as root"])
        // What could be read still is.
        #expect(try check(report.checks, "run").status == .ok)
        #expect(try check(report.checks, "qemu:1001:db").read.contains("RAM 2.00 GiB hugetlb"))

        let text = try CommandRunner.run(["host", "--sysfs-root", tree.sys, "--proc-root", tree.proc], asUser: 65534)
        #expect(text.status == 0)
        #expect(text.stdout.contains("Permission denied"))
    }

    @Test("this machine: one JSON object, the exit status follows the failures, KSM's files as read")
    func thisMachine() throws {
        let outcome = try CommandRunner.run(["host", "--format", "json"])
        #expect(outcome.stderr.isEmpty)
        let report = try JSONDecoder().decode(HostReport.self, from: Data(outcome.stdout.utf8))
        #expect(outcome.status == (report.summary.fail > 0 ? 1 : 0))
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #expect(report.host.kernel == release)
        #expect(report.host.pageSize == Int(getpagesize()))
        if FileManager.default.fileExists(atPath: "/sys/kernel/mm/ksm") {
            let readOnly = try check(report.checks, "read_only_counters")
            #expect(readOnly.read == "pages_shared r--r--r--, pages_sharing r--r--r--")
            // Root may not write to them either: the counters are what the line says.
            if getuid() == 0 {
                #expect(open("/sys/kernel/mm/ksm/pages_sharing", O_WRONLY) < 0 && errno == EACCES)
            }
            let tunables = try check(report.checks, "tunables")
            #expect(tunables.read.contains("max_page_sharing "))
        }
    }
}

extension QEMULiveTests {
    @Test("ksmscope host sees a running guest: mem-merge=off, RAM not mergeable", .timeLimit(.minutes(1)))
    func hostSeesGuest() throws {
        let guest = try QEMUGuest(memoryMiB: 64, name: "ksmscope-host-test")
        defer { guest.stop() }
        let outcome = try CommandRunner.run(["host", "--format", "json"])
        let report = try JSONDecoder().decode(HostReport.self, from: Data(outcome.stdout.utf8))
        let line = try #require(report.checks.first { $0.name == "qemu:\(guest.pid):ksmscope-host-test" })
        #expect(line.area == .qemu)
        #expect(line.status == .warn)
        #expect(line.read.contains("mem-merge=off"))
        #expect(line.read.hasSuffix("no virtio-balloon"))
        if getuid() == 0 {
            #expect(line.read.contains("RAM 64.00 MiB anonymous, 0 B mergeable"), "\(line.read)")
        }
        #expect(line.fix.contains("restart the guest without mem-merge=off"))
    }
}
