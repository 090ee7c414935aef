import Foundation
import Testing

@testable import KSMScope

/// Compares the scan's prediction with the real ksmd. There is one ksmd per machine, so the
/// suite runs its tests one at a time, and only where /sys/kernel/mm/ksm is writable (root;
/// `KSMSCOPE_REQUIRE_KERNEL=1` makes them fail elsewhere, see ``Requirement``).
@Suite("Prediction against the real kernel", .serialized, .kernel)
struct KernelVerificationTests {
    /// Copy counts around max_page_sharing, zero pages, near-duplicates and unique pages over four images.
    static func imageSet() -> [[UInt8]] {
        let factory = PageFactory(pageSize: 4096)
        var images = mixedImages(
            factory: factory, copies: [1, 2, 3, 4, 5, 9, 255, 256, 257, 258, 511, 512, 513, 1000], zeroPages: 700,
            uniquePages: 300, imageCount: 4, seed: 2026)
        images[1] += factory.nearDuplicate(of: 3, at: 4095) + factory.nearDuplicate(of: 3, at: 0)
        return images
    }

    static let settings: [(maxPageSharing: Int, useZeroPages: Bool)] = [(256, false), (256, true), (4, false), (4, true)]

    @Test("converged counters equal the prediction", arguments: 0..<settings.count)
    func convergedCountersMatch(setting: Int) throws {
        let (maxPageSharing, useZeroPages) = Self.settings[setting]
        let fixture = try ScanFixture(Self.imageSet())
        let before = try Self.knobs()
        let comparison = try verify(fixture, maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        for row in comparison.rows {
            #expect(row.predicted == row.kernel, "\(row.image ?? "global") \(row.counter)")
        }
        #expect(comparison.rows.count == 6 + 4 * 4)
        // Every knob is back, and nothing is left merged.
        #expect(try Self.knobs() == before)
        #expect(try KSMSysfs().readInt("pages_shared") == 0)
    }

    @Test("8192 copies of one page: 32 KSM pages, 8160 sharing, one chain of 32 dups")
    func kernelWorkedExample() throws {
        let factory = PageFactory(pageSize: 4096)
        let fixture = try ScanFixture([factory.image(Array(repeating: factory.page(77), count: 8192))])
        let comparison = try verify(fixture, maxPageSharing: 256, useZeroPages: false)
        let kernel = Dictionary(uniqueKeysWithValues: comparison.rows.filter { $0.image == nil }.map { ($0.counter, $0.kernel) })
        #expect(kernel["pages_shared"] == 32)
        #expect(kernel["pages_sharing"] == 8160)
        #expect(kernel["stable_node_chains"] == 1)
        #expect(kernel["stable_node_dups"] == 32)
        #expect(comparison.matches)
    }

    @Test("settings are restored when the job fails")
    func restoresOnFailure() throws {
        let before = try Self.knobs()
        let settings = try KSMSettingsGuard(sysfs: KSMSysfs())
        try settings.apply([("max_page_sharing", "7"), ("use_zero_pages", "1"), ("pages_to_scan", "1234")])
        #expect(try KSMSysfs().readInt("max_page_sharing") == 7)
        settings.restore()
        #expect(try Self.knobs() == before)
        // SIGTERM is no longer ignored: processes started later would inherit that.
        let previous = signal(SIGTERM, SIG_DFL)
        #expect(unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self))
        signal(SIGTERM, previous)
    }

    @Test(
        "Ctrl-C during verify-kernel restores every setting",
        .executable
    )
    func restoresOnInterrupt() throws {
        let fixture = try ScanFixture(Self.imageSet())
        // One page per second: ksmd cannot converge before the interrupt.
        try Self.interrupt(["verify-kernel", "--pages-to-scan", "1", "--sleep-millisecs", "1000", fixture.folder.path])
    }

    /// Runs `ksmscope arguments`, sends it SIGINT once it has set `pages_to_scan` to 1 (after
    /// any other job on the machine), and expects exit 130, every knob as before and no holder
    /// process left.
    static func interrupt(_ arguments: [String]) throws {
        let before = try knobs()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<3000 where (try? KSMSysfs().read("pages_to_scan")) != "1" { usleep(20_000) }
        #expect(try KSMSysfs().read("pages_to_scan") == "1")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGINT)
        #expect(try knobs() == before)
        #expect(KSMUsers.find().isEmpty, "holder processes outlived the interrupt")
    }

    @Test("copy-on-write keeps history: rewritten pages leave a part-filled KSM page behind")
    func copyOnWriteHistory() throws {
        let factory = PageFactory(pageSize: 4096)
        let before = factory.image(Array(repeating: factory.page(5), count: 300))
        let after = factory.image((0..<300).map { $0 < 50 ? factory.page(10_000 + UInt64($0)) : factory.page(5) })
        let fixture = try ScanFixture([before, after])
        let snapshots = try ImagePaths.open(fixture.paths, pageSize: .default)
        var run = KernelTimelineRun()
        run.settleFullScans = 10
        let record = try run.run(guests: [snapshots], tunables: .defaults)
        #expect(record.pagesWritten == [0, 50])
        #expect(record.appliedAfter.count == 2)
        // Static content merges during the 2nd full scan.
        #expect(record.scans[0].counters["pages_sharing"] == 0)
        #expect(record.scans[1].counters["pages_sharing"] == 298)
        // The first 256 copies filled KSM page A, the other 44 page B. The 50 rewritten copies
        // leave A with 206 mappings: 2 KSM pages and 248 sharing, where a fresh look at the same
        // final memory (250 copies) would give 1 KSM page and 249.
        let final = try #require(record.scans.last).counters
        #expect(final["pages_shared"] == 2)
        #expect(final["pages_sharing"] == 248)
        #expect(try ScanFixture([after]).scan().pagesSharing == 249)
    }

    @Test(
        "timelines: the simulator's converged counters equal the kernel's after every step",
        .executable,
        arguments: 0..<settings.count
    )
    func timelineMatchesSimulator(setting: Int) throws {
        let (maxPageSharing, useZeroPages) = Self.settings[setting]
        let folder = try TemporaryFolder()
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/demo.json").path
        let generate = try CommandRunner.run([
            "generate", "--spec", spec, "--out", folder.path + "/fleet", "--scale", "0.1", "--timeline", "2",
            "--interval", "30", "--quiet",
        ])
        try #require(generate.status == 0, "\(generate.stderr)")
        let manifest = try JSONDecoder().decode(
            TimelineManifest.self, from: Data(contentsOf: URL(fileURLWithPath: folder.path + "/fleet/timeline.json")))
        let guests = try manifest.guests.map { guest in
            try ImagePaths.open(guest.files.map { folder.path + "/fleet/" + $0 }, pageSize: .default)
        }
        let tunables = try SimulatorTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        var verifier = TimelineVerifier()
        verifier.run.settleFullScans = 30
        let comparison = try verifier.verify(guests: guests, tunables: tunables)
        #expect(comparison.pagesWritten.count == 3)
        #expect(comparison.pagesWritten[1] > 0)
        #expect(comparison.firstMergeKernel == 2)
        #expect(comparison.firstMergeSimulator == comparison.firstMergeKernel)
        for row in comparison.rows where !row.matches {
            Issue.record("step \(row.step) scan \(row.fullScans) guest \(row.guest.map(String.init) ?? "-") \(row.counter): kernel \(row.kernel), simulator \(row.simulator)")
        }
        #expect(comparison.rows.count == 3 * (6 + 4 * guests.count))
    }

    @Test("verify-kernel --timeline alone, the form its help documents, compares every step", .executable)
    func verifyKernelTimelineOption() throws {
        let factory = PageFactory(pageSize: 4096)
        let shared = (0..<64).map { factory.page(900_000 + UInt64($0 % 8)) }
        let first = factory.image(shared + [factory.page(0), factory.page(1)])
        let second = factory.image(shared.prefix(32) + (0..<32).map { factory.page(910_000 + UInt64($0)) } + [factory.page(0), factory.page(1)])
        let fixture = try ScanFixture([first, second, first, first])
        let paths = fixture.paths
        let outcome = try CommandRunner.run([
            "verify-kernel", "--timeline", "g=\(paths[0]),\(paths[1])", "--timeline", "h=\(paths[2]),\(paths[3])",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)\n\(outcome.stdout)")
        #expect(outcome.stdout.contains("all counters match"), "\(outcome.stdout)")
    }

    private func verify(_ fixture: ScanFixture, maxPageSharing: Int, useZeroPages: Bool) throws -> KernelComparison {
        let scan = SteadyStateScan(tunables: try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages))
        let images = try ImagePaths.open(fixture.paths, pageSize: .default)
        return try KernelVerifier().verify(images, scan: scan)
    }

    /// The tunables a verification may touch, read while no other job on the machine drives
    /// ksmd (every such job restores them before it lets go of the lock).
    static func knobs() throws -> [String] {
        let lock = try KSMDriverLock()
        defer { withExtendedLifetime(lock) {} }
        let sysfs = KSMSysfs()
        return try KSMSettingsGuard.knobs.filter(sysfs.has).map { try sysfs.read($0) }
    }
}
