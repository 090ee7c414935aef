import Foundation
import Testing

@testable import KSMScope

/// A small QEMU guest (TCG) that never runs (`-S`): QEMU's generic loader device puts 256
/// pattern pages at 16, 18, 20 and 22 MiB and 256 unique pages at 24 MiB of its RAM, as in the
/// committed samples. It needs no guest kernel, only `qemu-system-x86_64`.
final class QEMUGuest {
    static let emulator = "/usr/bin/qemu-system-x86_64"

    let folder: TemporaryFolder
    let pid: Int32

    /// Starts a guest of `memoryMiB` MiB named `name`; returns once its RAM holds the pages.
    ///
    /// Guest RAM is not marked mergeable (`mem-merge=off`), so the guest never counts as a KSM
    /// user beside the real-kernel tests. QEMU daemonizes only after the machine is set up
    /// (the loader has copied the pages), so the launch returning means the guest is ready.
    init(memoryMiB: Int, name: String) throws {
        folder = try TemporaryFolder()
        try folder.write("pattern.bin", (0..<256).flatMap { QEMUSamples.page("PATTERN", $0) })
        try folder.write("unique.bin", (0..<256).flatMap { QEMUSamples.page("UNIQUE", $0) })
        var arguments = [
            "-accel", "tcg", "-machine", "pc,mem-merge=off", "-m", "\(memoryMiB)", "-smp", "1", "-nodefaults",
            "-display", "none", "-S", "-name", "guest=\(name)", "-daemonize", "-pidfile", folder.path + "/qemu.pid",
        ]
        for address in ["0x1000000", "0x1200000", "0x1400000", "0x1600000"] {
            arguments += ["-device", "loader,file=\(folder.path)/pattern.bin,addr=\(address),force-raw=on"]
        }
        arguments += ["-device", "loader,file=\(folder.path)/unique.bin,addr=0x1800000,force-raw=on"]
        // posix_spawn and waitpid, not Foundation's Process: Process does not see the exit of a
        // launcher whose daemon child lives on, and would wait for ever.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ([Self.emulator] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var launcher: pid_t = 0
        let spawned = posix_spawn(&launcher, Self.emulator, &actions, nil, argv, environ)
        var status: Int32 = 0
        if spawned == 0 { while waitpid(launcher, &status, 0) < 0 && errno == EINTR {} }
        guard spawned == 0, status == 0,
            let text = try? String(contentsOfFile: folder.path + "/qemu.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw QEMUGuestError(message: "QEMU did not start (spawn \(spawned), status \(status))") }
        self.pid = pid
    }

    /// Ends QEMU (a daemon, so not this process's child to reap).
    func stop() { kill(pid, SIGKILL) }

    deinit { stop() }
}

struct QEMUGuestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

@Suite("live QEMU guest", .qemu, .executable)
struct QEMULiveTests {
    @Test("--pid and --qemu read a running guest's RAM: as many pages as -m", .timeLimit(.minutes(2)))
    func liveGuest() throws {
        let memory = 64
        let name = "ksmscope-live-test"
        let guest = try QEMUGuest(memoryMiB: memory, name: name)
        defer { guest.stop() }
        let pid = "\(guest.pid)"

        let outcome = try CommandRunner.run(
            ["scan", "--pid", pid, "--min-mapping-size", "64M", "--format", "json", "--quiet"])
        try #require(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONDecoder().decode(ScanReport.self, from: Data(outcome.stdout.utf8))
        #expect(report.pages == (memory << 20) / 4096)
        #expect(report.unreadablePages == 0)
        let image = try #require(report.images.first)
        #expect(image.path == "pid:\(pid)")
        let live = try #require(image.live)
        #expect(live.atomic == false)
        #expect(live.command.hasPrefix("qemu-system-"))
        #expect(live.mappings.count == 1)
        #expect(live.mappings.first.map { $0.end - $0.start } == memory << 20)
        #expect(live.mappings.first?.mergeable == false)  // mem-merge=off
        #expect(live.ksmStat?.ksmMergeable != true)
        // The guest's 256 pattern pages, 4 copies each, save at least 3 pages each; the rest of
        // its RAM was never touched and counts as zero pages.
        #expect(report.pagesSharing >= 256 * 3)
        #expect(report.zeroPages * 4 > report.pages)

        // Guest RAM is not mergeable here, so --mergeable-only finds nothing.
        let mergeable = try CommandRunner.run(["scan", "--pid", pid, "--mergeable-only", "--min-mapping-size", "64M"])
        #expect(mergeable.status == 1)
        #expect(mergeable.stderr.contains("no private anonymous read-write mapping marked mergeable of at least 64 MiB"))

        // --qemu names the guest; other QEMU processes on this machine would be scanned too,
        // so check it only when this guest is the only one.
        if QEMUProcesses.find().map(\.pid) == [guest.pid] {
            let all = try CommandRunner.run(["scan", "--qemu", "--format", "json", "--quiet"])
            try #require(all.status == 0, "\(all.stderr)")
            let found = try JSONDecoder().decode(ScanReport.self, from: Data(all.stdout.utf8))
            #expect(found.images.map(\.path) == ["qemu:\(pid):\(name)"])
            #expect(found.images.first?.live?.name == name)
            #expect(found.pages == (memory << 20) / 4096)
            let text = try CommandRunner.run(["scan", "--qemu", "--quiet"])
            #expect(text.stdout.contains("NOT an atomic snapshot"))
        }
    }
}
