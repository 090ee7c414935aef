import Foundation

extension TuneReport {
    /// The report for people: the guests and profile, every setting (Pareto front marked), the
    /// advisor and ksmtuned, and the recommendation with the lines that apply it.
    public var text: String {
        var out = "ksmscope tune: \(input.guests) guest\(input.guests == 1 ? "" : "s"), \(input.pages) pages "
        out += "(\(Figures.bytes(input.pages * input.pageSize))); converged saving \(Figures.bytes(input.convergedSavedBytes))"
        out += input.timeline ? ", guests writing (timeline)\n" : "\n"
        out += "profile: \(profile)\n"
        var asked: [String] = []
        if let budget = goal.cpuBudgetPercent {
            asked.append(String(format: "ksmd CPU at most %g%% of one CPU", budget) + (goal.defaultBudget ? " (default)" : ""))
        }
        if let deadline = goal.convergeWithinSeconds {
            asked.append("converged within \(TuneRecommendation.duration(deadline))")
        }
        out += "goal: \(asked.joined(separator: ", "))\n\n"
        var rows = [
            [
                "pages_to_scan", "sleep_ms", "smart", "advisor", "cpu%_converging", "cpu%_steady", "t50", "t90", "t99",
                "t100", "full_scan", input.timeline ? "avg_saved" : "saved", "pareto",
            ]
        ]
        for setting in settings {
            rows.append(Self.row(setting, timeline: input.timeline))
        }
        out += Figures.table(rows)
        out += "(t: time to 50/90/99/100 % of the converged saving; * on the CPU-versus-time Pareto front)\n\n"

        let advisorSetting = advisor.setting
        out += "Scan-time advisor (advisor_target_scan_time \(advisorSetting.advisorTargetScanTime ?? 0), "
        out += "advisor_max_cpu \(advisorSetting.advisorMaxCPU ?? 0)): "
        out += Self.summary(advisorSetting)
        out += "; pages_to_scan after each full scan: \(advisor.pagesToScanAfterFullScans.map(String.init).joined(separator: ", "))\n"

        out += "ksmtuned (defaults; host \(Figures.bytes(ksmtuned.hostMemoryBytes)), "
        out += "\(Figures.bytes(ksmtuned.freeMemoryBytes)) free, threshold \(Figures.bytes(ksmtuned.thresholdBytes)), "
        out += "sleep \(ksmtuned.sleepMillisecs) ms): "
        if let setting = ksmtuned.setting {
            out += Self.summary(setting) + " (from ksmtuned's start; its first decision is a minute in)"
            let pages = ksmtuned.decisions.compactMap(\.pagesToScan).map(String.init).joined(separator: ", ")
            out += "; pages_to_scan at its decisions: \(pages)\n"
        } else {
            out += "never runs ksmd: \(ksmtuned.reason ?? "")\n"
        }

        if let recommended {
            out += "\nRecommended: "
            if recommended.advisorMode == .scanTime {
                out += "the scan-time advisor, advisor_target_scan_time \(recommended.advisorTargetScanTime ?? 0), "
                out += "advisor_max_cpu \(recommended.advisorMaxCPU ?? 0), "
            } else {
                out += "pages_to_scan \(recommended.pagesToScan), "
            }
            out += "sleep_millisecs \(recommended.sleepMillisecs), smart_scan \(recommended.smartScan ? 1 : 0)\n"
            out += "  \(recommended.reason)\n"
            if !recommended.meetsBudget || !recommended.meetsDeadline {
                out += "  (it does not meet the goal: no setting tried does)\n"
            }
            out += "\nApply it now (as root):\n"
            out += recommended.commands.sysfs.map { "  \($0)\n" }.joined()
            if !recommended.commands.advisor.isEmpty && recommended.advisorMode == .none {
                out += "\nOr let the kernel's advisor hold a similar rate:\n"
                out += recommended.commands.advisor.map { "  \($0)\n" }.joined()
            }
            out += "\nOr have ksmtuned keep it (/etc/ksmtuned.conf, then systemctl restart ksmtuned):\n"
            out += recommended.commands.ksmtunedConf.map { "  \($0)\n" }.joined()
        }
        return out
    }

    /// One setting's cells.
    static func row(_ setting: TuneSetting, timeline: Bool) -> [String] {
        func time(_ seconds: Double?) -> String { seconds.map { TuneRecommendation.duration($0) } ?? "never" }
        return [
            "\(setting.pagesToScan)", "\(setting.sleepMillisecs)", setting.smartScan ? "1" : "0",
            setting.advisorMode == .scanTime ? "target \(setting.advisorTargetScanTime ?? 0) s" : "-",
            String(format: "%.2f", setting.cpuPercentConverging), String(format: "%.2f", setting.cpuPercentSteady),
            time(setting.secondsTo50), time(setting.secondsTo90), time(setting.secondsTo99), time(setting.secondsTo100),
            TuneRecommendation.duration(setting.fullScanSeconds), Figures.bytes(Int(setting.steadySavedBytes.rounded())),
            setting.pareto ? "*" : "",
        ]
    }

    /// A setting in one phrase.
    static func summary(_ setting: TuneSetting) -> String {
        String(
            format: "%.2f%% CPU converging, %.2f%% steady, converged in %@, pages_to_scan %d",
            setting.cpuPercentConverging, setting.cpuPercentSteady, TuneRecommendation.duration(setting.convergeSeconds),
            setting.pagesToScan)
    }

    /// One CSV row per setting, the JSON keys of ``TuneSetting`` as columns.
    public var csv: String {
        let columns = [
            "pages_to_scan", "sleep_millisecs", "smart_scan", "advisor_mode", "advisor_target_scan_time",
            "advisor_max_cpu", "cpu_percent_converging", "cpu_percent_steady", "seconds_to_50", "seconds_to_90",
            "seconds_to_99", "seconds_to_100", "steady_saved_bytes", "cow_breaks_per_second", "full_scan_seconds",
            "pareto",
        ]
        var out = columns.joined(separator: ",") + "\n"
        func number(_ value: Double?) -> String { value.map { String(format: "%.6g", $0) } ?? "" }
        for setting in settings {
            let cells: [String] = [
                "\(setting.pagesToScan)", "\(setting.sleepMillisecs)", setting.smartScan ? "1" : "0",
                setting.advisorMode.rawValue, setting.advisorTargetScanTime.map(String.init) ?? "",
                setting.advisorMaxCPU.map(String.init) ?? "", number(setting.cpuPercentConverging),
                number(setting.cpuPercentSteady), number(setting.secondsTo50), number(setting.secondsTo90),
                number(setting.secondsTo99), number(setting.secondsTo100), number(setting.steadySavedBytes),
                number(setting.cowBreaksPerSecond), number(setting.fullScanSeconds), setting.pareto ? "1" : "0",
            ]
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }
}
