import Foundation

extension SimulationReport {
    /// The report for people: settings, a table of the full-scan samples, the snapshot periods
    /// of timelines, the summary and a per-guest table.
    public var text: String {
        let settings = settings
        let tunables = settings.tunables
        var out = ""
        out +=
            "ksmd simulated (kernel \(settings.kernel) order) on \(settings.guests) guest\(settings.guests == 1 ? "" : "s"), "
        out += "\(settings.pages) pages (\(Figures.bytes(settings.pages * settings.pageSize))), "
        out += "\(settings.distinctContents) distinct contents\n"
        out += "pages_to_scan \(tunables.pagesToScan), sleep_millisecs \(tunables.sleepMillisecs) "
        out += "(\(tunables.sleepJiffies) jiffies at HZ \(tunables.hz)), max_page_sharing \(tunables.maxPageSharing), "
        out += "use_zero_pages \(tunables.useZeroPages ? 1 : 0), smart_scan \(tunables.smartScan ? 1 : 0), "
        out += "merge_across_nodes \(tunables.mergeAcrossNodes ? 1 : 0), advisor_mode \(tunables.advisorMode)\n"
        out += "profile: \(settings.profile)\n\n"

        let stepEnds = Set((steps ?? []).map(\.end.fullScans))
        let shown = Self.shownRows(samples.count) { stepEnds.contains(samples[$0].fullScans) }
        out += Self.table(title: "full_scans", rows: shown.map { ("\(samples[$0].fullScans)", samples[$0]) })
        if shown.count < samples.count {
            out += "(\(shown.count) of \(samples.count) full scans shown; --format csv or json lists them all)\n"
        }
        if let timeSamples, !timeSamples.isEmpty {
            out += "\nEvery \(Self.seconds(settings.everySeconds ?? 0)):\n"
            let shown = Self.shownRows(timeSamples.count) { _ in false }
            out += Self.table(title: "t", rows: shown.map { (Self.seconds(timeSamples[$0].tSeconds), timeSamples[$0]) })
            if shown.count < timeSamples.count {
                out += "(\(shown.count) of \(timeSamples.count) samples shown; --format json lists them all)\n"
            }
        }
        if let steps {
            out += "\nSnapshots (counters at the end of each period):\n"
            var rows = [
                [
                    "step", "from_full_scan", "from_t", "pages_written", "pages_sharing", "ksm_zero_pages", "saved",
                    "general_profit",
                ]
            ]
            for step in steps {
                rows.append([
                    "\(step.step)", "\(step.startFullScans)", Self.seconds(step.startSeconds), "\(step.pagesWritten)",
                    "\(step.end.pagesSharing)", "\(step.end.ksmZeroPages)",
                    Figures.bytes(step.end.savedPages * settings.pageSize), Figures.bytes(step.end.generalProfit),
                ])
            }
            out += Figures.table(rows)
        }

        let summary = summary
        out += "\nSummary\n"
        out += "  converged saving (first memory): \(summary.convergedSavedPages) pages "
        out += "(\(Figures.bytes(summary.convergedSavedBytes)))\n"
        for milestone in summary.milestones {
            let when =
                milestone.fullScans.map { "at full_scans \($0), \(Self.seconds(milestone.tSeconds ?? 0))" }
                ?? "not reached"
            out += "  \(milestone.percent)% of it: \(when)\n"
        }
        out += "  at the end: \(summary.finalSavedPages) pages saved "
        out += "(\(Figures.bytes(summary.finalSavedPages * settings.pageSize))), "
        out += "general_profit \(Figures.bytes(summary.finalGeneralProfit)); "
        out += "converged on the last memory from scratch: \(summary.finalMemoryConvergedSavedPages) pages\n"
        out += "  ksmd CPU: \(Self.seconds(summary.ksmdCPUSeconds)) in \(Self.seconds(summary.seconds)) "
        out += String(format: "(%.2f%% of one CPU), %d full scans\n", summary.ksmdCPUShare * 100, summary.fullScans)
        if let churn = summary.churn {
            out += "  churn from \(Self.seconds(churn.startSeconds)): \(churn.pagesWritten) pages written, "
            out += "\(churn.cowBreaks) copy-on-write breaks "
            out += String(format: "(%.2f/s), ", churn.cowBreaksPerSecond)
            out += "average saving \(Figures.bytes(Int(churn.averageSavedBytes.rounded())))\n"
        }

        out += "\n"
        var rows = [["guest", "pages", "ksm_rmap_items", "ksm_merging_pages", "ksm_zero_pages", "ksm_process_profit"]]
        for image in images {
            rows.append([
                image.name, "\(image.pages)", "\(image.ksmRmapItems)", "\(image.ksmMergingPages)",
                "\(image.ksmZeroPages)",
                Figures.bytes(image.ksmProcessProfit),
            ])
        }
        out += Figures.table(rows)
        return out
    }

    /// The rows of a long table worth printing: the first ten, about thirty spread evenly,
    /// the last, and those `keep` asks for; all of them up to forty.
    static func shownRows(_ count: Int, keep: (Int) -> Bool) -> [Int] {
        guard count > 40 else { return Array(0..<count) }
        let stride = (count + 29) / 30
        return (0..<count).filter { $0 < 10 || ($0 + 1) % stride == 0 || $0 == count - 1 || keep($0) }
    }

    /// Seconds for people: "0.020 s", "12.5 s", "3 min 20 s".
    static func seconds(_ value: Double) -> String {
        if value < 10 { return String(format: "%.3f s", value) }
        if value < 600 { return String(format: "%.1f s", value) }
        let minutes = Int(value / 60)
        return String(format: "%d min %02.0f s", minutes, value - Double(minutes) * 60)
    }

    /// A table of samples whose first column is `title`.
    private static func table(title: String, rows samples: [(String, SimulationSample)]) -> String {
        var rows = [
            [
                title, "t_seconds", "pages_shared", "pages_sharing", "pages_unshared", "pages_volatile",
                "pages_skipped",
                "ksm_zero_pages", "chains", "dups", "general_profit", "ksmd_cpu_s", "pages_to_scan",
            ]
        ]
        for (label, sample) in samples {
            rows.append([
                label, String(format: "%.3f", sample.tSeconds), "\(sample.pagesShared)", "\(sample.pagesSharing)",
                "\(sample.pagesUnshared)", "\(sample.pagesVolatile)", "\(sample.pagesSkipped)",
                "\(sample.ksmZeroPages)",
                "\(sample.stableNodeChains)", "\(sample.stableNodeDups)", "\(sample.generalProfit)",
                String(format: "%.6f", sample.ksmdCPUSeconds), "\(sample.pagesToScan)",
            ])
        }
        return Figures.table(rows)
    }
}
