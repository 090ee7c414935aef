import Foundation
import Testing

@testable import KSMScope

extension KernelVerificationTests {
    /// Calibration and tuning against the real ksmd: a quick calibration, the calibrated
    /// simulator against the kernel on guests calibration did not use, and a setting `tune`
    /// recommends applied to the kernel. Inside the serialized real-kernel suite: one ksmd.
    ///
    /// The machine is shared, and the other suites run beside this one: other work on the CPUs
    /// slows ksmd (nice 5) down and charges it for cache misses, and its CPU time for the same
    /// work varies by 5–50 % between runs minutes apart (up to 10× across hours, with the host's
    /// other tenants: Benchmarks/README.md), so the tolerances below are much wider than the
    /// issue's accuracy targets (±10 % time, ±15 % CPU), which the full table in
    /// `Benchmarks/calibration-accuracy.sh` reports (and which this machine does not meet:
    /// Benchmarks/README.md). They still catch a cost model off by a factor of two.
    @Suite("calibration and tuning against the real ksmd")
    struct CalibrationKernelTests {
        /// One quick calibration of two passes shared by the tests (about 40–80 s).
        static let profile = Result {
            try Calibrator(plan: .standard(quick: true)).calibrate(quick: true, repeats: 2)
        }

        /// The demo fleet generated at `scale`, as guests and their content map and bytes.
        static func demoFleet(scale: String) throws -> (folder: TemporaryFolder, paths: [String]) {
            let folder = try TemporaryFolder()
            let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("samples/demo.json").path
            let generate = try CommandRunner.run([
                "generate", "--spec", spec, "--out", folder.path + "/fleet", "--scale", scale, "--quiet",
            ])
            try #require(generate.status == 0, "\(generate.stderr)")
            return (folder, try ImagePaths.expand([folder.path + "/fleet"]))
        }

        /// Every page of `paths` as bytes, one array per image, and their content map.
        static func load(_ paths: [String]) throws -> (images: [[UInt8]], contents: ContentMap) {
            let sources = try ImagePaths.open(paths, pageSize: .default)
            let images = try sources.map { source -> [UInt8] in
                let reader = try source.makeReader()
                var bytes: [UInt8] = []
                for page in 0..<source.pageCount { bytes += try reader.page(page) }
                return bytes
            }
            return (images, try ContentMap.build(sources))
        }

        @Test(
            "a quick calibration fits the kernel's CPU time and sleeps, and restores every setting",
            .executable)
        func quickCalibration() throws {
            let before = try KernelVerificationTests.knobs()
            let profile = try Self.profile.get()
            #expect(try KernelVerificationTests.knobs() == before)
            #expect(profile.measured)
            #expect(profile.host.hz == HostDescription.configuredHZ() ?? profile.host.hz)
            let fit = try #require(profile.fit)
            #expect(fit.quick)
            // Two passes: both in the residuals, one line per sleep, and the spread between them
            // measured (above 0: two readings of ksmd's CPU never agree to the nanosecond; below
            // 100 %: a pass that measured nothing, or twice the work, would show there).
            #expect(fit.repeats == 2)
            #expect(profile.residuals.filter { $0.repetition == 2 }.count * 2 == profile.residuals.count)
            #expect(profile.sleeps.map(\.sleepMillisecs) == CalibrationPlan.standard(quick: true).runs.filter {
                $0.tunables.pagesToScan == 1
            }.map(\.tunables.sleepMillisecs))
            let spread = try #require(fit.cpuRepeatSpread)
            #expect(spread > 0 && spread < 1, "\(spread)")
            #expect(profile.summary.description.contains("between passes"))
            // Its own measurements: ksmd's CPU per full scan within 40 % rms (outliers included).
            #expect(fit.cpuRMSRelativeError < 0.40, "\(profile.text)")
            // Sleeps of one-page batches: N jiffies last N + 1 ticks. Never shorter than N ticks (the
            // timer wheel never fires early); at most 30 % or one tick longer than N + 1 (a busy
            // machine delays wake-ups past the next tick now and then, which weighs most on the
            // shortest sleeps: a CI run measured 2.45 ticks for sleep_millisecs 1).
            let tick = 1 / Double(profile.host.hz)
            for sleep in profile.sleeps {
                let ticks = Double(sleep.jiffies + 1) * tick
                #expect(sleep.measuredSeconds >= Double(sleep.jiffies) * tick * 0.95, "sleep_millisecs \(sleep.sleepMillisecs)")
                #expect(
                    sleep.measuredSeconds <= ticks + max(0.30 * ticks, tick), "sleep_millisecs \(sleep.sleepMillisecs)")
            }
            // The written profile reads back (its source is where it is read from).
            var decoded = try KsmdProfile.decode(json: Data(try profile.encoded().utf8))
            decoded.source = profile.source
            #expect(decoded == profile)
        }

        @Test(
            "calibrated simulate predicts the real ksmd on guests calibration did not use (subset)",
            .executable, .qemuSamples)
        func accuracySubset() throws {
            let profile = try Self.profile.get()
            let (folder, paths) = try Self.demoFleet(scale: "0.25")
            let demo = try Self.load(paths)
            let qemu = try Self.load([QEMUSamples.kdump])
            let settings = try KSMSettingsGuard(sysfs: KSMSysfs())
            defer { settings.restore() }
            let measurement = try KsmdMeasurement(settings: settings)
            let check = CalibrationCheck(profile: profile)
            var rows: [CalibrationCheck.Row] = []
            let runs: [(String, (images: [[UInt8]], contents: ContentMap), Int, Int, Bool, [Int])] = [
                ("demo", demo, 100, 20, true, [1, 2, 3, 10]),
                ("demo", demo, 1000, 10, false, [1, 2, 3, 10]),
                ("demo", demo, 5000, 50, true, [1, 2, 3, 10]),
                ("qemu", qemu, 1000, 20, true, [1, 2, 3]),
            ]
            for (name, workload, pages, sleep, smart, scans) in runs {
                let tunables = try SimulatorTunables(
                    pagesToScan: pages, sleepMillisecs: sleep, smartScan: smart, hz: profile.host.hz)
                rows += try check.compare(
                    workload: name, images: workload.images, contents: workload.contents, tunables: tunables,
                    fullScans: scans, measurement: measurement)
            }
            withExtendedLifetime(folder) {}
            #expect(rows.count == 15)
            // Tolerances on a shared machine: per full scan, wall time ±30 % (or 25 ms: a full
            // scan of one batch lasts milliseconds, and waking ksmd at nice 5 can take tens) and
            // ksmd's CPU from −70 % to +60 %; the median errors ±15 % time and ±40 % CPU. The low
            // CPU bound is wide because the model under-predicts small batches after long sleeps,
            // most on an idle VM: a quiet run measured −60 to −65 % for pages_to_scan 100 with
            // 20 ms sleeps (Benchmarks/README.md, calibration accuracy run 3), a gap issue 8
            // leaves open; it still catches a model off by more than 3×, or over-predicting.
            var report = ""
            for row in rows {
                report += String(
                    format: "%@ p%d s%d smart %d scan %d: time %.3f/%.3f s (%+.0f%%), cpu %.2f/%.2f ms (%+.0f%%)\n",
                    row.workload, row.pagesToScan, row.sleepMillisecs, row.smartScan ? 1 : 0, row.fullScan,
                    row.predictedSeconds, row.measuredSeconds, row.secondsError * 100, row.predictedCPUSeconds * 1e3,
                    row.measuredCPUSeconds * 1e3, row.cpuError * 100)
            }
            for row in rows {
                // The simulator processes exactly the pages the kernel does (and nothing else used
                // KSM meanwhile, which would make the comparison meaningless).
                #expect(row.measuredPagesScanned == row.predictedPagesScanned, "\(report)")
                #expect(abs(row.secondsError) <= 0.30 || abs(row.predictedSeconds - row.measuredSeconds) <= 0.025, "\(report)")
                #expect(row.cpuError >= -0.70 && row.cpuError <= 0.60, "\(report)")
            }
            let timeErrors = rows.map { abs($0.secondsError) }.sorted()
            let cpuErrors = rows.map { abs($0.cpuError) }.sorted()
            #expect(timeErrors[timeErrors.count / 2] <= 0.15, "\(report)")
            #expect(cpuErrors[cpuErrors.count / 2] <= 0.40, "\(report)")
        }

        @Test(
            "tune's setting under a CPU budget and a deadline holds on the real ksmd",
            .executable)
        func tuneOnKernel() throws {
            let profile = try Self.profile.get()
            let (folder, paths) = try Self.demoFleet(scale: "0.5")
            let fleet = try Self.load(paths)
            let guests = paths.map { SimulatedGuest(image: $0) }
            let budget = 5.0
            let deadline = 15.0
            let tunables = try SimulatorTunables(hz: profile.host.hz)
            let tuner = KsmdTuner(
                profile: profile, tunables: tunables, goal: TuneGoal(cpuBudgetPercent: budget, convergeWithinSeconds: deadline))
            let report = try tuner.sweep(contents: fleet.contents, guests: guests)
            let recommended = try #require(report.recommended)
            #expect(recommended.meetsBudget && recommended.meetsDeadline, "\(recommended.reason)")
            let target = report.input.convergedSavedBytes / 4096
            try #require(target > 0)

            let settings = try KSMSettingsGuard(sysfs: KSMSysfs())
            defer { settings.restore() }
            let measurement = try KsmdMeasurement(settings: settings)
            let applied = try SimulatorTunables(
                pagesToScan: recommended.advisorMode == .none ? recommended.pagesToScan : nil,
                sleepMillisecs: recommended.sleepMillisecs, smartScan: recommended.smartScan,
                advisorMode: recommended.advisorMode,
                advisorTargetScanTime: recommended.advisorTargetScanTime ?? tunables.advisorTargetScanTime,
                advisorMaxCPU: recommended.advisorMaxCPU ?? tunables.advisorMaxCPU, hz: profile.host.hz)
            // Run until the saving has converged, then two more full scans for the CPU share.
            var convergedAt: Int?
            let scans = try measurement.run(images: fleet.images, tunables: applied, fullScans: 400) { readings in
                if convergedAt == nil, let last = readings.last, last.savedPages >= target { convergedAt = readings.count }
                return convergedAt.map { readings.count >= $0 + 2 } ?? false
            }
            withExtendedLifetime(folder) {}
            let converged = try #require(convergedAt.map { scans[$0 - 1] }, "the kernel never reached the converged saving")
            let last = try #require(scans.last)
            let share = last.cpuSeconds / last.seconds * 100
            let summary = String(
                format: "recommended p%d s%d smart %d (%@): kernel converged at %.2f s (deadline %.0f s), CPU %.2f%% (budget %.0f%%)",
                recommended.pagesToScan, recommended.sleepMillisecs, recommended.smartScan ? 1 : 0,
                recommended.advisorMode.rawValue, converged.seconds, deadline, share, budget)
            // Tolerances: the saving is read at full-scan ends (the kernel shows it up to one full
            // scan after the merge), and ksmd's CPU time varies from run to run on a shared
            // machine: the deadline with 25 % and the budget with 25 % to spare.
            #expect(converged.seconds <= deadline * 1.25, "\(summary)")
            #expect(share <= budget * 1.25, "\(summary)")
            // The prediction itself is near what the kernel did.
            let predicted = try #require(recommended.secondsTo100)
            #expect(abs(predicted - converged.seconds) <= max(0.5 * converged.seconds, 1), "\(summary); predicted \(predicted) s")
        }

        @Test(
            "Ctrl-C during calibrate restores every setting",
            .executable)
        func calibrateInterrupted() throws {
            // The first runs are batches of one page.
            try KernelVerificationTests.interrupt(["calibrate", "--quick", "--quiet"])
        }
    }
}
