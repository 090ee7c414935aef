import Foundation
import Testing

@testable import KSMScope

@Suite("live processes: mapping selection and /proc parsing")
struct LiveSelectionTests {
    static let maps = """
        55d0c0a00000-55d0c0a21000 r--p 00000000 fe:00 1234                       /usr/bin/qemu-system-x86_64
        55d0c2000000-55d0c2e00000 rw-p 00000000 00:00 0                          [heap]
        7f0000000000-7f0004000000 rw-p 00000000 00:00 0 
        7f0004000000-7f0006000000 rw-p 00000000 00:00 0 
        7f0006000000-7f0006001000 ---p 00000000 00:00 0 
        7f0010000000-7f0050000000 rwxp 00000000 00:00 0 
        7f0060000000-7f0070000000 rw-s 00000000 00:01 77                         /memfd:pc.ram (deleted)
        7f0080000000-7f0081000000 rw-p 00000000 00:00 0                          [anon:guest ram]
        7f0090000000-7f0094000000 rw-p 00001000 fe:00 99                         /var/lib/guest ram.img
        7f00a0000000-7f00a0100000 r--p 00000000 00:00 0 
        7ffc00000000-7ffc00800000 rw-p 00000000 00:00 0                          [stack]
        7ffc10000000-7ffc10002000 r-xp 00000000 00:00 0                          [vdso]
        """

    @Test("maps lines parse, names with spaces included")
    func parse() {
        let mappings = ProcessMapping.parse(maps: Self.maps)
        #expect(mappings.count == 12)
        #expect(mappings[0].name == "/usr/bin/qemu-system-x86_64")
        #expect(mappings[0].inode == 1234)
        #expect(mappings[2].name.isEmpty)
        #expect(mappings[2].size == 64 << 20)
        #expect(mappings[6].name == "/memfd:pc.ram (deleted)")
        #expect(mappings[8].name == "/var/lib/guest ram.img")
        #expect(mappings[8].offset == 0x1000)
        #expect(mappings.map(\.isAnonymous) == [false, true, true, true, true, true, false, true, false, true, true, false])
    }

    @Test("private read-write non-executable anonymous mappings, each judged alone by size")
    func selection() {
        let mappings = ProcessMapping.parse(maps: Self.maps)
        let all = LiveMemorySelection(minimumBytes: 0).select(mappings)
        // heap, the two adjacent anonymous mappings (not joined), [anon:…], [stack]; not the
        // guard page, the executable code buffer, the shared memfd, the file, the read-only one.
        #expect(
            all.map(\.start) == [
                0x55d0_c200_0000, 0x7f00_0000_0000, 0x7f00_0400_0000, 0x7f00_8000_0000, 0x7ffc_0000_0000,
            ])
        #expect(LiveMemorySelection.qemuDefault.select(mappings).map(\.size) == [64 << 20])
        #expect(LiveMemorySelection(minimumBytes: 32 << 20).select(mappings).map(\.size) == [64 << 20, 32 << 20])
        #expect(LiveMemorySelection(minimumBytes: (64 << 20) + 1).select(mappings).isEmpty)
    }

    @Test("mergeable-only keeps mappings flagged mg in smaps")
    func mergeable() {
        let smaps = """
            7f0000000000-7f0004000000 rw-p 00000000 00:00 0 
            Size:              65536 kB
            AnonHugePages:     65536 kB
            VmFlags: rd wr mr mw me ac hg mg 
            7f0004000000-7f0006000000 rw-p 00000000 00:00 0 
            Size:              32768 kB
            VmFlags: rd wr mr mw me ac 
            55d0c2000000-55d0c2e00000 rw-p 00000000 00:00 0                          [heap]
            VmFlags: rd wr mr mw me ac mg
            """
        let flagged = ProcessMapping.mergeableStarts(smaps: smaps)
        #expect(flagged == [0x7f00_0000_0000, 0x55d0_c200_0000])
        let mappings = ProcessMapping.parse(maps: Self.maps)
        let selected = LiveMemorySelection(minimumBytes: 0, mergeableOnly: true).select(mappings, mergeable: flagged)
        #expect(selected.map(\.size) == [14 << 20, 64 << 20])
    }

    @Test("sizes: bytes and binary units")
    func sizes() {
        #expect(LiveMemorySelection.parseSize("0") == 0)
        #expect(LiveMemorySelection.parseSize("4096") == 4096)
        #expect(LiveMemorySelection.parseSize("64M") == 64 << 20)
        #expect(LiveMemorySelection.parseSize("64MiB") == 64 << 20)
        #expect(LiveMemorySelection.parseSize("2g") == 2 << 30)
        #expect(LiveMemorySelection.parseSize("512k") == 512 << 10)
        #expect(LiveMemorySelection.parseSize("12Q") == nil)
        #expect(LiveMemorySelection.parseSize("M") == nil)
        #expect(LiveMemorySelection.parseSize("-1") == nil)
    }

    @Test("QEMU guest names from -name")
    func qemuNames() {
        #expect(QEMUProcesses.guestName(arguments: ["qemu-system-x86_64", "-name", "web1"]) == "web1")
        #expect(
            QEMUProcesses.guestName(arguments: ["qemu-system-x86_64", "-name", "guest=db,debug-threads=on"]) == "db")
        #expect(QEMUProcesses.guestName(arguments: ["qemu-system-x86_64", "-name", "a,,b,process=x"]) == "a,b")
        #expect(QEMUProcesses.guestName(arguments: ["qemu-system-x86_64", "-m", "64"]) == nil)
    }

    @Test("ksm_stat fields")
    func ksmStat() {
        let stat = LiveProcessReport.KSMStat(
            text: "ksm_rmap_items 10\nksm_zero_pages 2\nksm_merging_pages 7\nksm_process_profit 12345\nksm_merge_any: no\nksm_mergeable: yes\n")
        #expect(stat.ksmRmapItems == 10)
        #expect(stat.ksmZeroPages == 2)
        #expect(stat.ksmMergingPages == 7)
        #expect(stat.ksmProcessProfit == 12345)
        #expect(stat.ksmMergeable == true)
        #expect(stat.ksmMergeAny == false)
        let old = LiveProcessReport.KSMStat(text: "ksm_rmap_items 3\n")
        #expect(old.ksmZeroPages == nil)
    }
}

/// Live reads of ordinary processes that do not register memory with KSM (so they never
/// disturb the real-kernel suite running beside them).
@Suite("live processes: reading, errors")
struct LiveProcessErrorTests {
    /// A `sleep` child: a small process with a heap and a stack. End it with SIGKILL: children
    /// of the test process inherit SIGTERM ignored (the settings guard's signal handling).
    static func sleeper() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["60"]
        try process.run()
        // Wait until it sleeps: blocked in nanosleep (35) or clock_nanosleep (230), so the
        // dynamic loader is done and its memory no longer changes.
        for _ in 0..<400 {
            if let call = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/syscall", encoding: .utf8),
                call.hasPrefix("230 ") || call.hasPrefix("35 ")
            {
                break
            }
            usleep(5_000)
        }
        return process
    }

    @Test("a pid that does not exist: one line, exit 1", .executable)
    func noSuchProcess() throws {
        // pid_max is at most 4194304 (2^22).
        let missing: Int32 = 4_194_305
        #expect(throws: LiveProcessError.noSuchProcess(pid: missing)) {
            try LiveProcessImage(pid: missing, selection: .processDefault, pageSize: .default)
        }
        let outcome = try CommandRunner.run(["scan", "--pid", "\(missing)"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr == "ksmscope: pid \(missing): no such process\n")
    }

    @Test("bad live options are usage errors", .executable)
    func badOptions() throws {
        let cases: [([String], String)] = [
            (["scan", "--pid", "0"], "--pid 0 is not a process id"),
            (["scan", "--pid", "1", "--min-mapping-size", "12Q"], "--min-mapping-size"),
            (["scan", "--min-mapping-size", "1M", "x.img"], "add --pid or --qemu"),
            (["scan"], "name at least one image file or folder, --pid PID or --qemu"),
        ]
        for (arguments, message) in cases {
            let outcome = try CommandRunner.run(arguments)
            #expect(outcome.status == 64, "\(arguments)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        }
    }

    @Test(
        "no ptrace rights: one line saying what is needed",
        .executable, .privilegeDrop
    )
    func permissionDenied() throws {
        let sleeper = try Self.sleeper()
        defer {
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        let pid = sleeper.processIdentifier
        let outcome = try CommandRunner.run(["scan", "--pid", "\(pid)"], asUser: 65534)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("ksmscope: pid \(pid): cannot read /proc/\(pid)/maps: Permission denied; "))
        #expect(outcome.stderr.contains("needs ptrace rights over it: run as root (CAP_SYS_PTRACE) or as its owner (uid 0)"))
    }

    @Test(
        "the process's own user may read it; frame numbers need root",
        .executable, .privilegeDrop
    )
    func ownerWithoutRoot() throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        sleeper.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sleep", "60"]
        try sleeper.run()
        defer {
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        let pid = sleeper.processIdentifier
        for _ in 0..<200 {
            if let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8), maps.contains("/sleep") { break }
            usleep(5_000)
        }
        let outcome = try CommandRunner.run(["scan", "--pid", "\(pid)", "--format", "json", "--quiet"], asUser: 65534)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(ScanReport.self, from: Data(outcome.stdout.utf8))
        let live = try #require(report.images.first?.live)
        #expect(live.pid == pid)
        #expect(live.atomic == false)
        #expect(live.residentPages != nil)
        #expect(live.alreadyMergedPages == nil)
        #expect(live.notes.contains { $0.contains("needs root") })
        #expect(report.pages > 0)
    }

    @Test("never-touched pages are taken as zeros without reading them, so they stay untouched")
    func untouchedPagesStayUntouched() throws {
        let sleeper = try Self.sleeper()
        defer {
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        let pid = sleeper.processIdentifier
        let first = try LiveProcessImage(pid: pid, selection: .processDefault, pageSize: .default)
        let untouched = try #require(first.report.untouchedPages)
        #expect(untouched > 0)  // a sleeping process never touches most of its stack
        let report = try SteadyStateScan().run([first])
        #expect(report.pages == first.pageCount)
        #expect(report.zeroPages >= untouched)
        let again = try LiveProcessImage(pid: pid, selection: .processDefault, pageSize: .default)
        #expect(again.report.untouchedPages == untouched)
        #expect(try SteadyStateScan().run([again]).zeroPages == report.zeroPages)
    }

    @Test("a process that exits mid-read: skippable page errors, counted with keep-going", arguments: [false, true])
    func exitsMidRead(keepGoing: Bool) throws {
        let sleeper = try Self.sleeper()
        let image = try LiveProcessImage(
            pid: sleeper.processIdentifier, selection: .processDefault, pageSize: .default)
        #expect(image.pageCount > 0)
        #expect(image.path == "pid:\(sleeper.processIdentifier)")
        let reader = image.makeReader()
        _ = try reader.page(0)
        kill(sleeper.processIdentifier, SIGKILL)
        sleeper.waitUntilExit()
        // Pages never touched before the exit are zeros, not read; the others fail.
        let untouched = image.untouched?.cardinality ?? 0
        let touched = try #require((0..<image.pageCount).last { image.untouched?[$0] != true })
        #expect {
            _ = try reader.page(touched)
        } throws: { error in
            (error as? DumpError)?.skippable == true
                && (error as? DumpError)?.path == image.path
        }
        let configuration = ScanConfiguration(pageSize: .default, threads: 2, keepGoing: keepGoing)
        if keepGoing {
            let report = try SteadyStateScan(configuration: configuration).run([image])
            #expect(report.unreadablePages == image.pageCount - untouched)
            #expect(report.pages == untouched)
            #expect(report.zeroPages == untouched)
            #expect(report.images[0].live?.pid == sleeper.processIdentifier)
        } else {
            #expect(throws: DumpError.self) { try SteadyStateScan(configuration: configuration).run([image]) }
        }
    }
}

/// Page-holder children register their memory with KSM (`MADV_MERGEABLE`), which the real-kernel
/// suite counts as other users of KSM: these tests run inside that suite, one at a time with
/// its tests, and like them only as root.
extension KernelVerificationTests {
    @Suite("live reads of page holders")
    struct LiveHolderTests {
        /// Scans `bytes` held by a child process through `--pid` (mergeable memory only: the
        /// holder's copy), and the same bytes as a raw file; returns both reports.
        static func scanBoth(_ bytes: [UInt8], extra: [String] = []) throws -> (live: ScanReport, file: ScanReport) {
            let fixture = try ScanFixture([bytes])
            // The holder's memory is mergeable: keep other ksmd jobs on the machine out meanwhile.
            let lock = try KSMDriverLock()
            let holder = try bytes.withUnsafeBytes { try PageHolder(path: "held", bytes: $0) }
            defer { holder.end(); withExtendedLifetime(lock) {} }
            let live = try CommandRunner.run(
                ["scan", "--pid", "\(holder.pid)", "--mergeable-only", "--format", "json", "--quiet"] + extra)
            try #require(live.status == 0, "\(live.stderr)")
            let file = try CommandRunner.run(["scan", fixture.paths[0], "--format", "json", "--quiet"] + extra)
            try #require(file.status == 0, "\(file.stderr)")
            return (
                try JSONDecoder().decode(ScanReport.self, from: Data(live.stdout.utf8)),
                try JSONDecoder().decode(ScanReport.self, from: Data(file.stdout.utf8))
            )
        }

        @Test(
            "--pid on a page holder counts exactly what a raw file of the same bytes does",
            .executable, arguments: [false, true])
        func sameAsRawFile(useZeroPages: Bool) throws {
            let factory = PageFactory(pageSize: 4096)
            let bytes = mixedImages(
                factory: factory, copies: [1, 2, 3, 7, 255, 256, 257, 600], zeroPages: 300, uniquePages: 200,
                imageCount: 1, seed: 77)[0]
            let (live, file) = try Self.scanBoth(bytes, extra: useZeroPages ? ["--use-zero-pages"] : [])
            #expect(live.pages == bytes.count / 4096)
            let process = try #require(live.images.first?.live)
            #expect(process.atomic == false)
            #expect(process.mappings.count == 1)
            #expect(process.mappings[0].end - process.mappings[0].start == bytes.count)
            #expect(process.mappings[0].mergeable)
            #expect(process.residentPages == bytes.count / 4096)
            #expect(process.untouchedPages == 0)
            #expect(process.ksmStat?.ksmMergeable == true)
            // Apart from the name and the live fields, the reports are equal.
            var same = live
            same.images[0].path = file.images[0].path
            same.images[0].live = nil
            #expect(same == file)
        }

        @Test(
            "--min-mapping-size selects mappings by size",
            .executable)
        func minimumMappingSize() throws {
            let factory = PageFactory(pageSize: 4096)
            let bytes = factory.image((0..<512).map { factory.page(UInt64($0 % 5)) })
            let lock = try KSMDriverLock()
            let holder = try bytes.withUnsafeBytes { try PageHolder(path: "held", bytes: $0) }
            defer { holder.end(); withExtendedLifetime(lock) {} }
            let pid = "\(holder.pid)"
            let exact = try CommandRunner.run(
                ["scan", "--pid", pid, "--mergeable-only", "--min-mapping-size", "2M", "--format", "json", "--quiet"])
            #expect(exact.status == 0, "\(exact.stderr)")
            let report = try JSONDecoder().decode(ScanReport.self, from: Data(exact.stdout.utf8))
            #expect(report.pages == 512)
            #expect(report.images[0].live?.minMappingSize == 2 << 20)

            let tooLarge = try CommandRunner.run(["scan", "--pid", pid, "--mergeable-only", "--min-mapping-size", "3M"])
            #expect(tooLarge.status == 1)
            #expect(
                tooLarge.stderr
                    == "ksmscope: pid \(pid): no private anonymous read-write mapping marked mergeable of at least 3 MiB (see --min-mapping-size)\n"
            )

            // Without --mergeable-only the holder's other memory (a fork of this process) counts too.
            let everything = try CommandRunner.run(["scan", "--pid", pid, "--format", "json", "--quiet"])
            #expect(everything.status == 0, "\(everything.stderr)")
            let all = try JSONDecoder().decode(ScanReport.self, from: Data(everything.stdout.utf8))
            let mappings = try #require(all.images.first?.live?.mappings)
            #expect(all.pages > 512)
            #expect(mappings.contains { $0.mergeable && $0.end - $0.start == 2 << 20 })
            #expect(mappings.count > 1)
        }

        @Test(
            "potential versus achieved: after ksmd converged, KSM pages now equal the prediction",
            .executable)
        func alreadyMerged() throws {
            // Contents no other test uses (ksmd would merge them across processes): 2, 3, 9 and
            // 300 copies, 50 zero pages, 40 unique pages, shuffled.
            let factory = PageFactory(pageSize: 4096)
            var pages: [[UInt8]] = []
            for (key, copies) in [(7_000_001, 2), (7_000_002, 3), (7_000_003, 9), (7_000_004, 300)] as [(UInt64, Int)] {
                pages += Array(repeating: factory.page(key), count: copies)
            }
            pages += Array(repeating: factory.page(0), count: 50)
            pages += (0..<40).map { factory.page(7_100_000 + UInt64($0)) }
            var generator = SplitMix(state: 5)
            let bytes = factory.image(pages.shuffled(using: &generator))
            let sysfs = KSMSysfs()
            let settings = try KSMSettingsGuard(sysfs: sysfs)
            defer { settings.restore() }
            try settings.apply([
                ("max_page_sharing", "256"), ("use_zero_pages", "0"), ("merge_across_nodes", "1"),
                ("pages_to_scan", "20000"), ("sleep_millisecs", "10"),
            ])
            let holder = try bytes.withUnsafeBytes { try PageHolder(path: "held", bytes: $0) }
            settings.adopt(holder)
            try sysfs.write("run", "1")
            // Converged when ksm_stat stays put over a few full scans.
            var last: [String: Int] = [:]
            var stable = 0
            var scans = try sysfs.readInt("full_scans")
            let deadline = Date().addingTimeInterval(60)
            while stable < 3, Date() < deadline {
                usleep(10_000)
                let now = try sysfs.readInt("full_scans")
                guard now != scans else { continue }
                scans = now
                let stat = try holder.ksmStat()
                stable = stat == last && (stat["ksm_merging_pages"] ?? 0) > 0 ? stable + 1 : 0
                last = stat
            }
            try sysfs.write("run", "0")
            #expect(stable == 3, "ksmd did not converge")
            let outcome = try CommandRunner.run(
                ["scan", "--pid", "\(holder.pid)", "--mergeable-only", "--format", "json", "--quiet"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let report = try JSONDecoder().decode(ScanReport.self, from: Data(outcome.stdout.utf8))
            let image = report.images[0]
            let live = try #require(image.live)
            #expect(live.ksmStat?.ksmMergingPages == image.ksmMergingPages)
            #expect(live.ksmStat?.ksmRmapItems == image.ksmRmapItems)
            #expect(live.alreadyMergedPages == image.ksmMergingPages)
            #expect(image.ksmMergingPages == 2 + 3 + 9 + 300 + 50)
            // The text report shows both.
            let text = try CommandRunner.run(["scan", "--pid", "\(holder.pid)", "--mergeable-only", "--quiet"])
            #expect(text.stdout.contains("NOT an atomic snapshot"))
            #expect(text.stdout.contains("KSM pages now"))
        }
    }
}
