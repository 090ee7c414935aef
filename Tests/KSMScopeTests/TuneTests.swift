import Foundation
import Testing

@testable import KSMScope

/// `tune`: the re-timing shortcut against whole simulations, the Pareto front, the
/// recommendation, ksmtuned's loop and the command line.
@Suite("ksmscope tune")
struct TuneTests {
    /// Three guests of 700 pages: shared base pages, pairs, zero pages, unique pages; with
    /// `chains`, one content in 600 copies (chains of dups at max_page_sharing 256).
    static func fleet(chains: Bool = false) -> (contents: ContentMap, guests: [SimulatedGuest]) {
        var pages: [[UInt32]] = []
        var next: UInt32 = 1000
        for guest in 0..<3 {
            var image: [UInt32] = []
            for page in 0..<700 {
                switch page % 10 {
                case 0, 1, 2: image.append(UInt32(1 + page))  // shared by all guests
                case 3: image.append(0)  // zero
                case 4: image.append(UInt32(500 + page / 20 + guest * 40))  // pairs inside the guest
                case 5 where chains, 6 where chains: image.append(999)
                default:
                    image.append(next)
                    next += 1
                }
            }
            pages.append(image)
        }
        let count = Int(next)
        let contents = ContentMap(
            layout: ImageLayout(pageCounts: pages.map(\.count)), contentOfPage: pages.flatMap { $0 },
            checksum: (0..<count).map { UInt32(truncatingIfNeeded: UInt64($0) &* 0x9E37_79B9_7F4A_7C15 >> 29) },
            isZero: (0..<count).map { $0 == 0 })
        let guests = (0..<3).map { SimulatedGuest(name: "g\($0)", snapshots: [.init(path: "g\($0)", trigger: .start)]) }
        return (contents, guests)
    }

    static func tuner(goal: TuneGoal = TuneGoal()) -> KsmdTuner {
        var tuner = KsmdTuner(
            profile: .builtIn, tunables: .defaults, kernel: .v6_11, goal: goal, hostMemoryBytes: 64 << 30,
            freeMemoryBytes: 1 << 30)
        tuner.pagesToScanValues = [50, 100, 300, 1000, 5000]
        tuner.sleepValues = [0, 10, 20, 50]
        tuner.advisorTargetScanTimes = [1, 5]
        return tuner
    }

    @Test(
        "one traced simulation re-timed per setting equals simulating each setting (exactly without chains)",
        arguments: [false, true])
    func retimingMatchesSimulation(chains: Bool) throws {
        let (contents, guests) = Self.fleet(chains: chains)
        var tuner = Self.tuner()
        tuner.pagesToScanValues = [100, 1000, 5000]
        tuner.sleepValues = [0, 20]
        // Every cost priced, the rewarming after sleeps too (the built-in profile has none).
        tuner.profile.costs.rewarm = 300
        let target = ConvergenceSummary.convergedSavedPages(contents: contents, images: [0, 1, 2], tunables: .defaults)
        let context = KsmdTuner.Context(
            contents: contents, guests: guests, firstImages: [0, 1, 2], slots: [700, 700, 700], target: target,
            pageSize: 4096)
        for smart in [true, false] {
            let traced = try tuner.trace(context, smart: smart, progress: nil)
            for setting in traced.settings {
                let tunables = try tuner.tunables(pages: setting.pagesToScan, sleep: setting.sleepMillisecs, smart: smart)
                guard case .setting(let simulated, _) = try tuner.simulate(context, tunables: tunables, fullScans: traced.fullScans, progress: nil)
                else { Issue.record("not a setting"); continue }
                // Without chains the events are the same whatever the batches; with chains the
                // prune interval moves which lookups walk a whole chain: a weak effect.
                let tolerance = chains ? 0.02 : 1e-9
                func close(_ a: Double?, _ b: Double?, _ what: String) {
                    guard let a, let b else {
                        #expect(a == nil && b == nil, "\(what) p\(setting.pagesToScan) s\(setting.sleepMillisecs)")
                        return
                    }
                    #expect(abs(a - b) <= tolerance * max(abs(b), 1e-9), "\(what) p\(setting.pagesToScan) s\(setting.sleepMillisecs) smart \(smart): \(a) vs \(b)")
                }
                close(setting.secondsTo50, simulated.secondsTo50, "t50")
                close(setting.secondsTo100, simulated.secondsTo100, "t100")
                close(setting.cpuPercentConverging, simulated.cpuPercentConverging, "cpu converging")
                close(setting.cpuPercentSteady, simulated.cpuPercentSteady, "cpu steady")
                close(setting.fullScanSeconds, simulated.fullScanSeconds, "full scan")
            }
        }
    }

    @Test("more pages_to_scan at the same sleep never converges later; the front is not dominated")
    func monotonicAndPareto() throws {
        let (contents, guests) = Self.fleet(chains: true)
        let report = try Self.tuner().sweep(contents: contents, guests: guests)
        let plain = report.settings.filter { $0.advisorMode == .none }
        #expect(plain.count == 2 * 5 * 4)
        for smart in [true, false] {
            for sleep in [0, 10, 20, 50] {
                let row = plain.filter { $0.smartScan == smart && $0.sleepMillisecs == sleep }.sorted { $0.pagesToScan < $1.pagesToScan }
                for (slower, faster) in zip(row, row.dropFirst()) {
                    #expect(faster.convergeSeconds <= slower.convergeSeconds + 1e-9, "smart \(smart) sleep \(sleep) p\(faster.pagesToScan)")
                    // Without sleeps the saving shows at the end of each batch, so a larger
                    // batch can show a partial saving up to one batch's CPU later.
                    if sleep > 0 { #expect(faster.secondsTo50! <= slower.secondsTo50! + 1e-9) }
                }
            }
        }
        // Brute force: a setting is on the front exactly when no other is at least as good in
        // both and better in one.
        for setting in report.settings {
            let dominated = report.settings.contains {
                $0.cpuPercent <= setting.cpuPercent && $0.convergeSeconds <= setting.convergeSeconds
                    && ($0.cpuPercent < setting.cpuPercent || $0.convergeSeconds < setting.convergeSeconds)
            }
            #expect(setting.pareto == !dominated)
        }
        #expect(report.settings.contains { $0.pareto })
        #expect(report.settings.filter { $0.advisorMode == .scanTime }.count == 3)
        #expect(report.advisor.setting.advisorTargetScanTime == 200)
        // The recommendation meets the default budget and is the fastest that does.
        let recommended = try #require(report.recommended)
        #expect(recommended.meetsBudget)
        let fastest = report.settings.filter { $0.cpuPercent <= 10 }.map(\.convergeSeconds).min()!
        #expect(recommended.secondsTo100 == fastest)
    }

    @Test("an impossible budget or deadline gives the closest setting and says what meeting it costs")
    func impossibleGoals() throws {
        let (contents, guests) = Self.fleet()
        var tuner = Self.tuner(goal: TuneGoal(cpuBudgetPercent: 0.0001))
        let cheap = try #require(try tuner.sweep(contents: contents, guests: guests).recommended)
        #expect(!cheap.meetsBudget)
        #expect(cheap.reason.hasPrefix("no setting stays within 0.0001% of one CPU; the closest, the cheapest of all, costs"))

        tuner.goal = TuneGoal(cpuBudgetPercent: 5, convergeWithinSeconds: 0.001)
        let late = try #require(try tuner.sweep(contents: contents, guests: guests).recommended)
        #expect(late.meetsBudget && !late.meetsDeadline)
        #expect(late.reason.contains("no setting within 5% of one CPU converges within"))

        tuner.goal = TuneGoal(convergeWithinSeconds: 3600)
        let relaxed = try #require(try tuner.sweep(contents: contents, guests: guests).recommended)
        #expect(relaxed.meetsDeadline)
        #expect(relaxed.reason.hasPrefix("the cheapest setting that converges within 60.0 min"))
        #expect(relaxed.commands.sysfs.last == "echo 1 > /sys/kernel/mm/ksm/run")
    }

    @Test("ksmtuned: its sleep scales with the host, its threshold stops or starts ksmd, npages boosts and decays")
    func ksmtuned() {
        var model = KsmtunedModel(hostMemoryBytes: 8 << 30, freeMemoryBytes: 1 << 30, committedBytes: 7 << 30)
        #expect(model.sleepMillisecs == 20)
        #expect(model.thresholdKB == (8 << 20) / 5)
        var loop = KsmtunedModel.Loop()
        // Free memory below the threshold: boost by 300 up to 1250.
        let boosts = (0..<6).map { model.adjust(&loop, seconds: Double($0 * 60), savedBytes: 0).pagesToScan }
        #expect(boosts == [300, 600, 900, 1200, 1250, 1250])
        // Enough saved to lift free memory above the threshold, guests still too big: decay.
        let decays = (0..<30).map { _ in model.adjust(&loop, seconds: 0, savedBytes: 1 << 30).pagesToScan! }
        #expect(decays.prefix(3) == [1200, 1150, 1100])
        #expect(decays.last == 64)
        // A large host with the guests and its threshold fitting: stopped.
        model = KsmtunedModel(hostMemoryBytes: 64 << 30, freeMemoryBytes: 40 << 30, committedBytes: 8 << 30)
        #expect(model.sleepMillisecs == 10)
        #expect(!model.adjust(&loop, seconds: 60, savedBytes: 0).run)
        #expect(model.stoppedReason != nil)
    }

    @Test("ksmtuned's loop in the sweep: stopped on a roomy host, running with boosts on a full one")
    func ksmtunedInSweep() throws {
        let (contents, guests) = Self.fleet()
        var tuner = Self.tuner()
        tuner.hostMemoryBytes = 64 << 30
        tuner.freeMemoryBytes = 60 << 30
        let roomy = try tuner.sweep(contents: contents, guests: guests).ksmtuned
        #expect(!roomy.runs)
        #expect(roomy.setting == nil)
        #expect(roomy.reason?.hasPrefix("ksmtuned keeps ksmd stopped") == true)
        tuner.hostMemoryBytes = 8 << 20
        tuner.freeMemoryBytes = 1 << 20
        let full = try tuner.sweep(contents: contents, guests: guests).ksmtuned
        #expect(full.runs)
        #expect(full.decisions.first == .init(seconds: 60, run: true, pagesToScan: 300))
        let setting = try #require(full.setting)
        #expect((setting.secondsTo50 ?? 0) > 60, "ksmd starts at ksmtuned's first decision")
    }

    @Test("ksmtuned.conf lines pin its rate and undo its memory-size scaling")
    func ksmtunedLines() {
        var setting = TuneSetting(
            pagesToScan: 800, sleepMillisecs: 20, smartScan: true, milestones: [nil, nil, nil, nil], scanEnds: [],
            window: 1, savedBytes: 0)
        let lines = TuneRecommendation.ksmtunedLines(setting, hostMemoryBytes: 32 << 30)
        #expect(lines.contains("KSM_NPAGES_MIN=800") && lines.contains("KSM_NPAGES_MAX=800"))
        #expect(lines.contains("KSM_SLEEP_MSEC=40"))
        #expect(lines.contains("KSM_THRES_COEF=100"))
        setting.sleepMillisecs = 5
        #expect(TuneRecommendation.ksmtunedLines(setting, hostMemoryBytes: 32 << 30).contains { $0.contains("will sleep 10 ms, not 5") })
    }

    @Test(
        "tune on the command line: the JSON contract, CSV, and bad options",
        .executable)
    func commandLine() throws {
        let folder = try TemporaryFolder()
        let factory = PageFactory(pageSize: 4096)
        let shared = (0..<64).map { factory.page(7000 + UInt64($0)) }
        let first = try folder.write("a.img", factory.image(shared + (0..<64).map { factory.page(100 + UInt64($0)) }))
        let second = try folder.write("b.img", factory.image(shared + (0..<64).map { factory.page(300 + UInt64($0)) }))
        let outcome = try CommandRunner.run([
            "tune", "--format", "json", "--cpu-budget", "20", "--converge-within", "2m", "--host-memory", "4G",
            "--free-memory", "1G", "--quiet", first, second,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        for key in ["profile", "settings", "advisor", "ksmtuned", "recommended"] { #expect(object[key] != nil, "\(key)") }
        let settings = try #require(object["settings"] as? [[String: Any]])
        #expect(settings.count > 10)
        for key in [
            "pages_to_scan", "sleep_millisecs", "advisor_mode", "cpu_percent_converging", "cpu_percent_steady",
            "seconds_to_50", "seconds_to_90", "seconds_to_99", "seconds_to_100", "steady_saved_bytes", "pareto",
        ] {
            #expect(settings.allSatisfy { $0.keys.contains(key) }, "\(key)")
        }
        let recommended = try #require(object["recommended"] as? [String: Any])
        for key in ["pages_to_scan", "sleep_millisecs", "advisor_mode", "reason", "commands"] {
            #expect(recommended[key] != nil, "\(key)")
        }
        let goal = try #require(object["goal"] as? [String: Any])
        #expect(goal["converge_within_seconds"] as? Double == 120)
        let profile = try #require(object["profile"] as? [String: Any])
        #expect(profile["measured"] as? Bool == false)

        let csv = try CommandRunner.run(["tune", "--format", "csv", "--smart-scan", "1", "--quiet", first])
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("pages_to_scan,sleep_millisecs,smart_scan,advisor_mode,"))
        #expect(!csv.stdout.split(separator: "\n").dropFirst().contains { $0.hasPrefix("100,10,0,") })

        let text = try CommandRunner.run(["tune", "--cpu-budget", "0.00001", "--quiet", first])
        #expect(text.status == 0)
        #expect(text.stdout.contains("no setting stays within 1e-05% of one CPU"))
        #expect(text.stdout.contains("echo 1 > /sys/kernel/mm/ksm/run"))

        for (arguments, message) in [
            (["--cpu-budget", "0"], "--cpu-budget must be a positive percentage"),
            (["--converge-within", "soon"], "converge-within"),
            (["--advisor-mode", "scan-time"], "tune always models the scan-time advisor"),
        ] {
            let bad = try CommandRunner.run(["tune"] + arguments + [first])
            #expect(bad.status == 64, "\(arguments)")
            #expect(bad.stderr.contains(message), "\(bad.stderr)")
            #expect(bad.stderr.split(separator: "\n").count == 1)
        }
    }
}

extension TuneTests {
    @Test(
        "guests that write: every setting simulated whole, with copy-on-write breaks and the average saving",
        .executable)
    func timeline() throws {
        let folder = try TemporaryFolder()
        let factory = PageFactory(pageSize: 4096)
        let shared = (0..<48).map { factory.page(7000 + UInt64($0)) }
        let before = try folder.write("g.t0.img", factory.image(shared + [factory.page(1)]))
        let after = try folder.write(
            "g.t1.img", factory.image(shared.prefix(24) + (0..<24).map { factory.page(9000 + UInt64($0)) } + [factory.page(1)]))
        let other = try folder.write("h.img", factory.image(shared))
        let outcome = try CommandRunner.run([
            "tune", "--format", "json", "--quiet", "--timeline", "g=\(before),\(after)", "--step-scans", "4", other,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let input = try #require(object["input"] as? [String: Any])
        #expect(input["timeline"] as? Bool == true)
        let settings = try #require(object["settings"] as? [[String: Any]])
        let plain = settings.filter { $0["advisor_mode"] as? String == "none" }
        #expect(plain.count == KsmdTuner.timelinePagesToScan.count * KsmdTuner.timelineSleeps.count * 2)
        for setting in plain {
            let breaks = try #require(setting["cow_breaks_per_second"] as? Double)
            #expect(breaks > 0)
            let average = try #require(setting["steady_saved_bytes"] as? Double)
            // 24 of the 48 shared pages are rewritten: the average saving is below the first one.
            #expect(average < Double(input["converged_saved_bytes"] as? Int ?? 0))
        }
    }
}
