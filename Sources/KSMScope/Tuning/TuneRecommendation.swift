import Foundation

/// The setting `tune` recommends for a ``TuneGoal``, why, and exactly how to apply it.
///
/// Among the settings that stay within the budget and converge by the deadline it takes, with
/// a deadline, the one that costs the least CPU, else the one that converges soonest. When no
/// setting meets the goal it takes the closest one (the fastest within the budget, or the
/// cheapest of all) and says what meeting the goal would cost.
public struct TuneRecommendation: Sendable, Equatable, Codable {
    /// `pages_to_scan` (with the advisor: the value it settles on).
    public var pagesToScan: Int
    /// `sleep_millisecs`.
    public var sleepMillisecs: Int
    /// `smart_scan`.
    public var smartScan: Bool
    /// `advisor_mode`.
    public var advisorMode: SimulatorTunables.AdvisorMode
    /// `advisor_target_scan_time`, with the advisor.
    public var advisorTargetScanTime: Int?
    /// `advisor_max_cpu`, with the advisor.
    public var advisorMaxCPU: Int?
    /// Why this setting, in one or two sentences.
    public var reason: String
    /// Whether it stays within the CPU budget.
    public var meetsBudget: Bool
    /// Whether it converges by the deadline.
    public var meetsDeadline: Bool
    /// Its predicted CPU, percent of one CPU (the larger of converging and steady).
    public var cpuPercent: Double
    /// Its predicted time to converge, seconds; nil if it never does.
    public var secondsTo100: Double?
    /// How to apply it.
    public var commands: Commands

    /// The lines that apply a setting.
    public struct Commands: Sendable, Equatable, Codable {
        /// Shell lines writing `/sys/kernel/mm/ksm` (as root).
        public var sysfs: [String]
        /// Shell lines that let the kernel's scan-time advisor hold a similar rate instead
        /// (the advisor setting closest to the goal), with what it is predicted to do.
        public var advisor: [String]
        /// `/etc/ksmtuned.conf` lines that make ksmtuned keep this rate.
        public var ksmtunedConf: [String]

        enum CodingKeys: String, CodingKey {
            case sysfs, advisor
            case ksmtunedConf = "ksmtuned_conf"
        }
    }

    enum CodingKeys: String, CodingKey {
        case reason, commands
        case pagesToScan = "pages_to_scan"
        case sleepMillisecs = "sleep_millisecs"
        case smartScan = "smart_scan"
        case advisorMode = "advisor_mode"
        case advisorTargetScanTime = "advisor_target_scan_time"
        case advisorMaxCPU = "advisor_max_cpu"
        case meetsBudget = "meets_budget"
        case meetsDeadline = "meets_deadline"
        case cpuPercent = "cpu_percent"
        case secondsTo100 = "seconds_to_100"
    }

    /// The recommendation among `settings` for `goal`.
    ///
    /// - Parameters:
    ///   - savedBytes: what ksmd saves once converged (nothing: say so).
    ///   - hostMemoryBytes: the host's memory, for ksmtuned's sleep scaling.
    public static func choose(
        from settings: [TuneSetting], goal: TuneGoal, savedBytes: Int, hostMemoryBytes: Int
    ) -> TuneRecommendation? {
        guard !settings.isEmpty else { return nil }
        let feasible = settings.filter { goal.withinBudget($0) && goal.withinDeadline($0) }
        let budget = goal.cpuBudgetPercent.map { String(format: "%g%% of one CPU", $0) }
        let deadline = goal.convergeWithinSeconds.map(Self.duration)
        let chosen: TuneSetting
        var reason: String
        if let best = feasible.min(by: goal.convergeWithinSeconds != nil ? Self.cheaper : Self.faster) {
            chosen = best
            reason =
                goal.convergeWithinSeconds != nil
                ? "the cheapest setting that converges within \(deadline!)"
                    + (budget.map { " and stays within \($0)" } ?? "")
                : "the fastest-converging setting within \(budget!)"
            reason += String(format: ": %.2f%% CPU, converged in %@", best.cpuPercent, Self.duration(best.convergeSeconds))
        } else if let budget, let fastest = settings.filter(goal.withinBudget).min(by: Self.faster) {
            chosen = fastest
            let needed = settings.filter(goal.withinDeadline).min(by: Self.cheaper)
            reason = "no setting within \(budget) converges within \(deadline ?? "the deadline"); the closest, "
            reason += "the fastest within the budget, converges in \(Self.duration(fastest.convergeSeconds))"
            if let needed {
                reason += String(
                    format: "; converging in time needs %.2f%% CPU (pages_to_scan %d, sleep_millisecs %d)",
                    needed.cpuPercent, needed.pagesToScan, needed.sleepMillisecs)
            }
        } else {
            chosen = settings.min(by: Self.cheaper)!
            reason = "no setting stays within \(budget ?? "the budget"); the closest, the cheapest of all, costs "
            reason += String(format: "%.2f%% CPU", chosen.cpuPercent)
            if let deadline { reason += goal.withinDeadline(chosen) ? " and converges within \(deadline)" : "" }
            reason += String(format: " (converged in %@)", Self.duration(chosen.convergeSeconds))
        }
        if savedBytes == 0 {
            reason = "KSM saves nothing on these guests: leave it off ('echo 0 > /sys/kernel/mm/ksm/run'); " + reason
        }
        let advisor = settings.filter { $0.advisorMode == .scanTime }
        let closestAdvisor =
            advisor.filter { goal.withinBudget($0) && goal.withinDeadline($0) }.min(by: Self.cheaper)
            ?? advisor.min(by: Self.cheaper)
        return TuneRecommendation(
            pagesToScan: chosen.pagesToScan, sleepMillisecs: chosen.sleepMillisecs, smartScan: chosen.smartScan,
            advisorMode: chosen.advisorMode, advisorTargetScanTime: chosen.advisorTargetScanTime,
            advisorMaxCPU: chosen.advisorMaxCPU, reason: reason, meetsBudget: goal.withinBudget(chosen),
            meetsDeadline: goal.withinDeadline(chosen), cpuPercent: chosen.cpuPercent, secondsTo100: chosen.secondsTo100,
            commands: Commands(
                sysfs: sysfsLines(chosen),
                advisor: closestAdvisor.map { setting in
                    let meets = goal.withinBudget(setting) && goal.withinDeadline(setting)
                    return [
                        String(
                            format: "# predicted: %.2f%% CPU, converged in %@, pages_to_scan settling at %d%@",
                            setting.cpuPercent, duration(setting.convergeSeconds), setting.pagesToScan,
                            meets ? "" : " (no advisor setting tried meets the goal; this one comes closest)")
                    ] + sysfsLines(setting)
                } ?? [],
                ksmtunedConf: ksmtunedLines(chosen, hostMemoryBytes: hostMemoryBytes)))
    }

    /// Lower CPU first, then faster; on a tie a fixed setting before the advisor (whose rate
    /// moves), smart scan on before off, fewer pages per batch.
    static func cheaper(_ a: TuneSetting, _ b: TuneSetting) -> Bool {
        (a.cpuPercent, a.convergeSeconds, tieBreak(a), a.pagesToScan) < (b.cpuPercent, b.convergeSeconds, tieBreak(b), b.pagesToScan)
    }

    /// Faster first, then lower CPU; ties as ``cheaper(_:_:)``.
    static func faster(_ a: TuneSetting, _ b: TuneSetting) -> Bool {
        (a.convergeSeconds, a.cpuPercent, tieBreak(a), a.pagesToScan) < (b.convergeSeconds, b.cpuPercent, tieBreak(b), b.pagesToScan)
    }

    /// Fixed settings before the advisor, smart scan on before off.
    private static func tieBreak(_ setting: TuneSetting) -> Int {
        (setting.advisorMode == .scanTime ? 2 : 0) + (setting.smartScan ? 0 : 1)
    }

    /// The shell lines that apply `setting` through sysfs.
    static func sysfsLines(_ setting: TuneSetting) -> [String] {
        func echo(_ value: String, _ knob: String) -> String { "echo \(value) > /sys/kernel/mm/ksm/\(knob)" }
        var lines: [String]
        if setting.advisorMode == .scanTime {
            lines = [
                echo("\(setting.sleepMillisecs)", "sleep_millisecs"),
                echo(setting.smartScan ? "1" : "0", "smart_scan"),
                echo("\(setting.advisorMaxCPU ?? 70)", "advisor_max_cpu"),
                echo("\(setting.advisorTargetScanTime ?? 200)", "advisor_target_scan_time"),
                echo("scan-time", "advisor_mode"),
            ]
        } else {
            lines = [
                // pages_to_scan is refused (EINVAL) while the advisor is on.
                echo("none", "advisor_mode"),
                echo("\(setting.pagesToScan)", "pages_to_scan"),
                echo("\(setting.sleepMillisecs)", "sleep_millisecs"),
                echo(setting.smartScan ? "1" : "0", "smart_scan"),
            ]
        }
        return lines + [echo("1", "run")]
    }

    /// `/etc/ksmtuned.conf` lines pinning ksmtuned to `setting`'s rate.
    static func ksmtunedLines(_ setting: TuneSetting, hostMemoryBytes: Int) -> [String] {
        guard setting.advisorMode == .none else {
            return [
                "# ksmtuned writes pages_to_scan, which the kernel refuses while the advisor is on:",
                "# stop it instead: systemctl disable --now ksmtuned",
            ]
        }
        var lines = [
            "KSM_NPAGES_MIN=\(setting.pagesToScan)", "KSM_NPAGES_MAX=\(setting.pagesToScan)",
        ]
        let total = max(1, hostMemoryBytes / 1024)
        // ksmtuned sleeps KSM_SLEEP_MSEC * 16 GiB / MemTotal (kB, integer), at least 10 ms.
        let wanted = setting.sleepMillisecs
        let sleepMsec = (1...100_000).first { max(10, $0 * 16 * 1024 * 1024 / total) >= wanted } ?? 10
        let resulting = max(10, sleepMsec * 16 * 1024 * 1024 / total)
        lines.append("KSM_SLEEP_MSEC=\(sleepMsec)")
        if resulting != wanted {
            lines.append("# ksmtuned will sleep \(resulting) ms, not \(wanted): it scales KSM_SLEEP_MSEC by 16 GiB / MemTotal, at least 10 ms")
        }
        lines += [
            "# ksmtuned stops ksmd while free memory is above KSM_THRES_COEF % of the host; 100 keeps it running:",
            "KSM_THRES_COEF=100",
        ]
        return lines
    }

    /// Seconds for people: "45 s", "12.5 min", "3.2 h", "never".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "never" }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        if seconds < 7200 { return String(format: "%.1f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }
}
