/// What ksmd costs for what it saves on the plan's guests: `tune`'s sweep of ksmd settings
/// priced with a cost profile (`--profile`, from `ksmscope calibrate`), its recommended setting,
/// and the CPU-versus-time front.
public struct KsmdCost: Sendable, Equatable, Codable {
    /// The profile that priced the settings (measured on this host, estimated, or built in).
    public var profile: KsmdProfile.Summary
    /// What the recommendation was chosen for: `tune`'s default, 10 % of one CPU.
    public var goal: TuneGoal
    /// The recommended setting, its CPU, time to converge, why, and how to apply it.
    public var recommended: TuneRecommendation?
    /// What it buys on the inputs: the saving ksmd converges to, bytes.
    public var savedBytes: Int
    /// What it buys on the planned host: the planned guests' saving at steady state, bytes.
    public var plannedSavedBytes: Int
    /// The recommended setting's CPU (percent of one CPU) per GiB the inputs save.
    public var cpuPercentPerGiBSaved: Double?
    /// Settings no other converges as fast for less CPU (the Pareto front), fastest first.
    public var front: [TuneSetting]
    /// Every setting swept (the front's and the others), for the chart.
    public var settings: [TuneSetting]

    enum CodingKeys: String, CodingKey {
        case profile, goal, recommended, front, settings
        case savedBytes = "saved_bytes"
        case plannedSavedBytes = "planned_saved_bytes"
        case cpuPercentPerGiBSaved = "cpu_percent_per_gib_saved"
    }

    /// Sweeps ksmd's settings on the guests of `contents` with `tuner` and keeps what the plan
    /// reports.
    static func sweep(
        _ tuner: KsmdTuner, contents: ContentMap, guests: [SimulatedGuest], pageSize: Int, plannedSavedBytes: Int
    ) throws -> KsmdCost {
        let report = try tuner.sweep(contents: contents, guests: guests, pageSize: pageSize)
        let saved = report.input.convergedSavedBytes
        return KsmdCost(
            profile: report.profile, goal: report.goal, recommended: report.recommended, savedBytes: saved,
            plannedSavedBytes: plannedSavedBytes,
            cpuPercentPerGiBSaved: report.recommended.flatMap { saved > 0 ? $0.cpuPercent / (Double(saved) / Double(1 << 30)) : nil },
            front: report.settings.filter(\.pareto).sorted { ($0.convergeSeconds, $0.cpuPercent) < ($1.convergeSeconds, $1.cpuPercent) },
            settings: report.settings)
    }
}

extension KsmdCost {
    /// Rows of the front shown in text and HTML at most.
    static let summaryRows = 12

    /// One row of the front as reports show it: settings that differ only in `smart_scan`
    /// and predict the same are one row.
    struct FrontRow: Equatable {
        var pagesToScan: Int
        var sleepMillisecs: Int
        var smartScan: String
        var advisorMode: String
        var cpuPercent: Double
        var secondsTo100: Double?

        /// The column titles of ``cells``.
        static let header = ["pages_to_scan", "sleep_millisecs", "smart_scan", "advisor", "CPU %", "converged (s)"]

        /// The row as table cells, in the order of ``header``.
        var cells: [String] {
            [
                "\(pagesToScan)", "\(sleepMillisecs)", smartScan, advisorMode, String(format: "%.2f", cpuPercent),
                secondsTo100.map { String(format: "%.3g", $0) } ?? "never",
            ]
        }
    }

    /// The front in at most ``summaryRows`` rows, spread evenly along it, the recommended
    /// setting always among them.
    var frontSummary: [FrontRow] {
        var rows: [FrontRow] = []
        for setting in front {
            let row = FrontRow(
                pagesToScan: setting.pagesToScan, sleepMillisecs: setting.sleepMillisecs, smartScan: setting.smartScan ? "1" : "0",
                advisorMode: setting.advisorMode.rawValue, cpuPercent: setting.cpuPercent, secondsTo100: setting.secondsTo100)
            if let last = rows.last, last.pagesToScan == row.pagesToScan, last.sleepMillisecs == row.sleepMillisecs,
                last.advisorMode == row.advisorMode, last.cpuPercent == row.cpuPercent, last.secondsTo100 == row.secondsTo100
            {
                rows[rows.count - 1].smartScan = "0 or 1"
            } else {
                rows.append(row)
            }
        }
        guard rows.count > Self.summaryRows else { return rows }
        var keep = Set((0..<Self.summaryRows).map { $0 * (rows.count - 1) / (Self.summaryRows - 1) })
        if let recommended, let index = rows.firstIndex(where: {
            $0.pagesToScan == recommended.pagesToScan && $0.sleepMillisecs == recommended.sleepMillisecs
                && $0.advisorMode == recommended.advisorMode.rawValue
        }) {
            // In place of the nearest spread row, so the count stays.
            if !keep.contains(index), let nearest = keep.min(by: { abs($0 - index) < abs($1 - index) }) {
                keep.remove(nearest)
                keep.insert(index)
            }
        }
        return keep.sorted().map { rows[$0] }
    }

    /// The recommendation and the front as text.
    var text: String {
        var out = "\nksmd CPU (\(profile)):\n"
        if let recommended {
            let time = recommended.secondsTo100.map { String(format: "%.3g s", $0) } ?? "never"
            out += String(
                format: "  recommended: pages_to_scan %d, sleep_millisecs %d, smart_scan %d%@: %.2f%% of one CPU, converged in %@\n",
                recommended.pagesToScan, recommended.sleepMillisecs, recommended.smartScan ? 1 : 0,
                recommended.advisorMode == .none ? "" : ", advisor_mode \(recommended.advisorMode)", recommended.cpuPercent, time)
            out += "  it buys \(Figures.bytes(savedBytes)) on the inputs, \(Figures.bytes(plannedSavedBytes)) on the planned host"
            out += cpuPercentPerGiBSaved.map { String(format: " (%.2f%% CPU per GiB saved)", $0) } ?? ""
            out += "\n  \(recommended.reason)\n"
            out += recommended.commands.sysfs.map { "  \($0)\n" }.joined()
        }
        let rows = [["  front: " + FrontRow.header[0]] + FrontRow.header.dropFirst()]
            + frontSummary.map { ["  " + $0.cells[0]] + $0.cells.dropFirst() }
        return out + Figures.table(rows)
    }
}
