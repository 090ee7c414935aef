import Foundation

extension CapacityPlan {
    /// The plan as one self-contained HTML page: inline CSS and SVG charts, nothing loaded from
    /// anywhere, no script; readable on a laptop screen and printable (A4 or Letter).
    ///
    /// Sections: totals and verdict, savings by kind, the guest-by-guest heat map, the sharing
    /// curve, convergence over time, the capacity table with the Nova setting, KSM against
    /// ballooning and swap, the policy comparison, the huge-page trade-off, and the placement
    /// when there is one. Each chart has axis titles with units.
    public var html: String {
        var body = summarySection
        body += savingsSection
        body += heatMapSection
        body += curveSection
        body += convergence.map(convergenceSection) ?? HTML.section(
            id: "convergence", title: "Convergence over time",
            HTML.paragraph("Not simulated: " + (sample != nil ? "ksmd's simulation needs every page, and this plan is sampled." : "ksmd's simulator does not fit --memory-limit (see the notes)."), class: "note"))
        if let cpu { body += cpuSection(cpu) }
        body += capacitySection
        body += overcommitSection
        body += policySection
        body += thp.map(hugePageSection) ?? HTML.section(
            id: "huge-pages", title: "Transparent huge pages",
            HTML.paragraph("Left out of a sampled plan: which pages of a 2 MiB region merge needs every page.", class: "note"))
        if let placement { body += placementSection(placement) }
        if !notes.isEmpty {
            body += HTML.section(id: "notes", title: "Notes", HTML.element("ul", notes.map { HTML.element("li", HTML.escape($0)) }.joined()))
        }
        body += HTML.element(
            "footer",
            HTML.paragraph(
                "ksmscope plan: \(guests.count) guests, pages of \(pageSize) bytes, max_page_sharing \(tunables.maxPageSharing), use_zero_pages \(tunables.useZeroPages ? 1 : 0), policy \(policy). Pages compared \(equality.explanation). "
                    + (sample.map { "Savings are estimated from a 1/\($0.every) sample of the contents (zero pages in full), with 95 % confidence intervals; guests that fit are counted on the low ends." }
                        ?? "Savings are the counters ksmd converges to on these pages (exact, not sampled).")))
        let head =
            HTML.empty("meta", ["charset": "utf-8"])
            + HTML.empty("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
            + HTML.element("title", HTML.escape("KSM capacity plan: \(Figures.bytes(host.hostMemory)) host, \(guests.count) guests"))
            + HTML.element("style", Self.styleSheet)
        return "<!DOCTYPE html>\n"
            + HTML.element(
                "html", ["xmlns": "http://www.w3.org/1999/xhtml", "lang": "en"],
                HTML.element("head", head) + HTML.element("body", HTML.element("main", body))) + "\n"
    }

    // MARK: Sections

    private var summarySection: String {
        let inputs = guests.reduce(0) { $0 + $1.memoryBytes }
        let saved = policies[policy]?.savedBytes ?? 0
        var content = HTML.element("h1", "KSM capacity plan")
        content += HTML.paragraph(
            "Host: \(Figures.bytes(host.hostMemory)) of memory, \(Figures.bytes(host.reserved)) reserved, \(Figures.bytes(host.usable)) for guests; each guest costs its memory plus \(Figures.bytes(host.guestOverhead)). \(guests.count) input guests, \(Figures.bytes(inputs)) in all, merged under policy \(policy).",
            class: "lead")
        content += HTML.element("p", ["class": "verdict"], HTML.escape(verdict))
        if let sample {
            content += HTML.paragraph(
                "Sampled 1/\(sample.every) of the contents (zero pages in full): every saving is an estimate. The inputs save \(Figures.bytes(sample.savedBytes)), 95 % confidence interval \(Figures.bytes(sample.savedBytesLow)) to \(Figures.bytes(sample.savedBytesHigh)); guests that fit are counted on the low end (\(sample.guestsFitAtEstimate.withKSMUnderChurn) under churn at the estimate). Huge pages, convergence and CPU need every page and are left out.",
                class: "note")
        }
        let cards: [(String, String)] = [
            ("guests without KSM", "\(guestsFit.withoutKSM)"),
            ("with KSM, steady state", "\(guestsFit.withKSM)"),
            ("with KSM under churn", "\(guestsFit.withKSMUnderChurn)"),
            ("ram_allocation_ratio", String(format: "%.2f", ramAllocationRatio)),
            ("inputs save", "\(Figures.bytes(saved)) (\(Figures.percent(saved, of: inputs)))"),
            ("unmerge risk", Figures.bytes(unmergeRiskBytes)),
        ]
        content += HTML.element(
            "div", ["class": "cards"],
            cards.map { label, value in
                HTML.element("div", ["class": "card"], HTML.element("div", ["class": "value"], HTML.escape(value)) + HTML.element("div", ["class": "label"], HTML.escape(label)))
            }.joined())
        return HTML.element("section", ["id": "summary"], content)
    }

    private var savingsSection: String {
        let inputs = guests.reduce(0) { $0 + $1.memoryBytes }
        let kinds = savingsByKind
        let total = kinds.zeroBytes + kinds.withinGuestBytes + kinds.betweenGuestsBytes
        let scale = ChartScale.bytes(upper: Double(max(total, 1)))
        var rows = [
            SVGBars.Row(
                label: "all \(guests.count) inputs",
                segments: [(Double(kinds.zeroBytes), 0), (Double(kinds.withinGuestBytes), 1), (Double(kinds.betweenGuestsBytes), 2)],
                note: Figures.bytes(total))
        ]
        for guest in guests.prefix(12) {
            rows.append(.init(label: Self.shortName(guest.path), segments: [(Double(guest.aloneSavedBytes), 3)], note: Figures.bytes(guest.aloneSavedBytes)))
        }
        var chart = SVGBars(
            rows: rows, scale: scale, title: "saved (\(scale.unitName))",
            description: "What the inputs save, by kind, and what each guest saves alone")
        chart.legend = [("zero pages", 0), ("within a guest", 1), ("between guests", 2), ("one guest alone", 3)]
        let table = HTML.table(
            ["kind", "saved", "share of the inputs' memory"],
            [
                ["zero pages (a balloon would return these too)", Figures.bytes(kinds.zeroBytes), Figures.percent(kinds.zeroBytes, of: inputs)],
                ["within a guest (kept by per-guest salting)", Figures.bytes(kinds.withinGuestBytes), Figures.percent(kinds.withinGuestBytes, of: inputs)],
                ["between guests", Figures.bytes(kinds.betweenGuestsBytes), Figures.percent(kinds.betweenGuestsBytes, of: inputs)],
                ["total", Figures.bytes(total), Figures.percent(total, of: inputs)],
            ], numeric: [1, 2])
        return HTML.section(
            id: "savings-by-kind", title: "Savings by kind",
            chart.render() + table
                + (guests.count > 12 ? HTML.paragraph("The chart shows the first 12 guests alone; the JSON lists all.", class: "small") : ""))
    }

    private var heatMapSection: String {
        guard let heatMap else {
            return HTML.section(
                id: "heat-map", title: "Sharing between guests",
                HTML.paragraph("Left out: more than \(HeatMap.guestLimit) guests (the map grows with their square); see the placement and the JSON."))
        }
        let offDiagonal = heatMap.savedBytes.enumerated().flatMap { row, values in
            values.enumerated().filter { $0.offset != row }.map { Double($0.element) }
        }
        let scale = ChartScale.bytes(upper: max(1, offDiagonal.max() ?? 1), count: 4)
        let map = SVGHeatMap(
            labels: heatMap.guests.map(Self.shortName), values: heatMap.savedBytes.map { $0.map(Double.init) }, scale: scale,
            description: "Pairwise sharing between the guests")
        return HTML.section(
            id: "heat-map", title: "Sharing between guests",
            HTML.paragraph("Each blue cell: what the two guests save together beyond what each saves alone, in \(scale.unitName). The orange diagonal: what the guest saves alone (shaded against the largest). Dark pairs share many pages: put them on one host; a pale row is a guest that shares little with any other.")
                + map.render())
    }

    private var curveSection: String {
        let last = sharingCurve.last?.guests ?? 1
        let maximum = Double(sharingCurve.map(\.savedBytes).max() ?? 1)
        let y = ChartScale.bytes(upper: max(1, maximum))
        let x = ChartScale(upper: Double(max(last, 2)), count: min(10, max(2, last)), unitName: "guests")
        var chart = SVGChart(
            x: x, y: y, xTitle: "guests on the host (count, in input order)", yTitle: "saved (\(y.unitName))",
            description: "The saving of the first k guests")
        let measured = [(0.0, 0.0)] + sharingCurve.filter { !$0.extrapolated }.map { (Double($0.guests), Double($0.savedBytes)) }
        chart.line(measured, series: 0, legend: sample == nil ? "measured (exact)" : "estimated (sample 1/\(sample!.every))")
        chart.dots(Array(measured.dropFirst()), series: 0)
        if sample != nil {
            let inputs = sharingCurve.filter { !$0.extrapolated }
            chart.line([(0.0, 0.0)] + inputs.map { (Double($0.guests), Double($0.savedBytesLow ?? $0.savedBytes)) }, series: 3, dashed: true, legend: "95 % interval")
            chart.line([(0.0, 0.0)] + inputs.map { (Double($0.guests), Double($0.savedBytesHigh ?? $0.savedBytes)) }, series: 3, dashed: true)
        }
        if let lastMeasured = measured.last, sharingCurve.contains(where: \.extrapolated) {
            let extended = [lastMeasured] + sharingCurve.filter(\.extrapolated).map { (Double($0.guests), Double($0.savedBytes)) }
            chart.line(extended, series: 1, dashed: true, legend: "extrapolated (last marginal)")
        }
        chart.marker(at: Double(guestsFit.withoutKSM), label: "fit without KSM: \(guestsFit.withoutKSM)")
        if guestsFit.withKSMUnderChurn != guestsFit.withoutKSM {
            chart.marker(at: Double(guestsFit.withKSMUnderChurn), label: "under churn: \(guestsFit.withKSMUnderChurn)")
        }
        let rows = sharingCurve.filter { !$0.extrapolated }.map { point in
            [
                "\(point.guests)", Self.shortName(guests[point.guests - 1].path), Figures.bytes(point.savedBytes),
                Figures.bytes(point.marginalSavedBytes),
            ] + (sample == nil ? [] : [Figures.bytes(point.savedBytesLow ?? 0) + " – " + Figures.bytes(point.savedBytesHigh ?? 0)])
        }
        return HTML.section(
            id: "sharing-curve", title: "Sharing curve",
            HTML.paragraph(sample == nil
                ? "Each point is exactly what the first k guests save together; where the curve flattens, more guests of this kind add little sharing."
                : "Each point estimates what the first k guests save together, from the sample, with its 95 % confidence interval; capacity is counted on the low end.")
                + chart.render()
                + HTML.table(
                    ["k", "guest k", "saved by the first k", "guest k adds"] + (sample == nil ? [] : ["95 % interval"]), rows,
                    numeric: [0, 2, 3]))
    }

    private func convergenceSection(_ convergence: Convergence) -> String {
        let points = convergence.points
        let end = max(points.last?.tSeconds ?? 1, 1e-3)
        let (unitValue, unitName) = end >= 7200 ? (3600.0, "h") : end >= 240 ? (60.0, "min") : (1.0, "s")
        let x = ChartScale(upper: end, count: 8, unitValue: unitValue, unitName: unitName)
        let y = ChartScale.bytes(upper: Double(max(1, points.map(\.savedBytes).max() ?? 1, churn.convergedSavedBytes)))
        var chart = SVGChart(
            x: x, y: y, xTitle: "time since ksmd started (\(unitName))", yTitle: "saved (\(y.unitName))",
            description: "The saving ksmd reaches over time, simulated")
        chart.line(points.map { ($0.tSeconds, Double($0.savedBytes)) }, series: 0, step: true, legend: "pages_sharing + ksm_zero_pages")
        chart.line([(0, Double(churn.convergedSavedBytes)), (end, Double(churn.convergedSavedBytes))], series: 2, dashed: true, legend: "converged saving")
        if let start = convergence.churnStartSeconds { chart.marker(at: start, label: "guests start writing") }
        let milestones = convergence.milestones.map { milestone in
            [
                "\(milestone.percent) %", milestone.fullScans.map(String.init) ?? "never",
                milestone.tSeconds.map { String(format: "%.1f s", $0) } ?? "never",
            ]
        }
        let setting =
            "ksmd simulated with pages_to_scan \(convergence.pagesToScan), sleep_millisecs \(convergence.sleepMillisecs)"
            + (convergence.advisorMode == "none" ? "" : ", advisor_mode \(convergence.advisorMode)") + "."
        return HTML.section(
            id: "convergence", title: "Convergence over time",
            HTML.paragraph(setting + (churn.source == "timeline" ? " After the guests start writing, copy-on-write takes merged pages back; the plan counts on the lowest saving after convergence." : ""))
                + chart.render()
                + HTML.table(["share of the converged saving", "full scans", "time"], milestones, numeric: [1, 2]))
    }

    private func cpuSection(_ cpu: KsmdCost) -> String {
        let converging = cpu.settings.filter { $0.secondsTo100 != nil }
        let seconds = converging.compactMap(\.secondsTo100)
        let x = ChartScale(logarithmicFrom: seconds.min() ?? 1, to: seconds.max() ?? 10, unitName: "s")
        let y = ChartScale(upper: max(1, converging.map(\.cpuPercent).max() ?? 1), count: 5, unitName: "%")
        var chart = SVGChart(
            x: x, y: y, xTitle: "time to converge (s, logarithmic)", yTitle: "ksmd CPU (% of one CPU)",
            description: "ksmd's CPU against the time to converge, for every setting swept")
        chart.dots(converging.filter { !$0.pareto }.map { ($0.secondsTo100!, $0.cpuPercent) }, series: 3, legend: "a setting")
        let front = cpu.front.filter { $0.secondsTo100 != nil }
        chart.line(front.map { ($0.secondsTo100!, $0.cpuPercent) }, series: 0, legend: "the front: no faster setting costs less")
        chart.dots(front.map { ($0.secondsTo100!, $0.cpuPercent) }, series: 0)
        if let recommended = cpu.recommended, let time = recommended.secondsTo100 {
            chart.dots(
                [(time, recommended.cpuPercent)], series: 4,
                legend: "recommended: \(recommended.pagesToScan) pages / \(recommended.sleepMillisecs) ms")
        }
        if let budget = cpu.goal.cpuBudgetPercent, budget <= y.upper {
            chart.line([(x.lower, budget), (x.upper, budget)], series: 2, dashed: true, legend: "CPU budget")
        }
        var text = HTML.paragraph("Priced with \(cpu.profile). Every setting swept by 'ksmscope tune' on these guests; the front joins those no faster setting beats on CPU.")
        if let recommended = cpu.recommended {
            let time = recommended.secondsTo100.map { String(format: "%.3g s", $0) } ?? "never"
            text += HTML.paragraph(
                String(format: "Recommended: pages_to_scan %d, sleep_millisecs %d, smart_scan %d%@: %.2f %% of one CPU, converged in %@, for %@ saved on the inputs (%@ on the planned host). %@.",
                    recommended.pagesToScan, recommended.sleepMillisecs, recommended.smartScan ? 1 : 0,
                    recommended.advisorMode == .none ? "" : ", advisor_mode \(recommended.advisorMode)", recommended.cpuPercent, time,
                    Figures.bytes(cpu.savedBytes), Figures.bytes(cpu.plannedSavedBytes), recommended.reason.prefix(1).uppercased() + recommended.reason.dropFirst()))
            text += HTML.element("pre", HTML.escape(recommended.commands.sysfs.joined(separator: "\n")))
        }
        return HTML.section(
            id: "cpu-front", title: "ksmd's CPU against time",
            text + chart.render()
                + HTML.table(
                    KsmdCost.FrontRow.header, cpu.frontSummary.map(\.cells), numeric: [0, 1, 4, 5],
                    caption: "Settings on the front (at most \(KsmdCost.summaryRows), spread along it; the JSON lists all)"))
    }

    private var capacitySection: String {
        let rows: [[String]] = [
            ["without KSM", "\(guestsFit.withoutKSM)", "0 B", "every guest costs memory + overhead"],
            ["with KSM at steady state", "\(guestsFit.withKSM)", Figures.bytes(sharingCurve.first { $0.guests == guestsFit.withKSM }?.savedBytes ?? 0), "the whole converged saving"],
            [
                "with KSM under churn", "\(guestsFit.withKSMUnderChurn)", Figures.bytes(unmergeRiskBytes),
                String(format: "%.3f of the saving (%@ less %@ %% headroom)", churn.savingFactor, churn.source == "timeline" ? "lowest after convergence" : "steady state", Figures.number(host.headroomPercent)),
            ],
        ]
        let nova = """
            [DEFAULT]
            reserved_host_memory_mb = \(nova.reservedHostMemoryMB)
            ram_allocation_ratio = \(String(format: "%.2f", ramAllocationRatio))
            """
        return HTML.section(
            id: "capacity", title: "Capacity and the Nova setting",
            HTML.table(["", "guests that fit", "saving counted on", "how"], rows, numeric: [1, 2])
                + HTML.paragraph("nova.conf on this host admits \(self.nova.guestsAdmitted) of these guests (flavor memory without QEMU's overhead, against (host memory − reserved) × ratio):")
                + HTML.element("pre", HTML.escape(nova))
                + HTML.paragraph("Unmerge risk: \(Figures.bytes(unmergeRiskBytes)) come back to the guests if KSM is stopped with echo 2 > /sys/kernel/mm/ksm/run (echo 0 stops merging and keeps what is merged)."))
    }

    private var overcommitSection: String {
        let values = [overcommit.ksmOnlyBytes, overcommit.balloonAlsoBytes, overcommit.swapNeededBytes]
        let scale = ChartScale.bytes(upper: Double(max(1, values.max() ?? 1)))
        let chart = SVGBars(
            rows: [
                .init(label: "only KSM saves", segments: [(Double(values[0]), 1)], note: Figures.bytes(values[0])),
                .init(label: "a balloon also returns", segments: [(Double(values[1]), 0)], note: Figures.bytes(values[1])),
                .init(label: "swap if KSM stops", segments: [(Double(values[2]), 4)], note: Figures.bytes(values[2])),
            ], scale: scale, title: "memory for \(overcommit.guests) guests (\(scale.unitName))",
            description: "KSM beside ballooning and swap")
        return HTML.section(
            id: "overcommit", title: "KSM, ballooning and swap",
            HTML.paragraph("For the \(overcommit.guests) planned guests: duplicate pages that are not zero are saved by KSM only; zero pages (never touched, or freed and zeroed) a balloon or virtio free page reporting would return as well; if the saving vanished, swap would have to hold what no longer fits.")
                + chart.render())
    }

    private var policySection: String {
        var rows: [SVGBars.Row] = []
        var table: [[String]] = []
        let inputs = guests.reduce(0) { $0 + $1.memoryBytes }
        for (index, policy) in MergePolicy.allCases.enumerated() {
            guard let figures = policies[policy] else { continue }
            rows.append(.init(label: policy.rawValue, segments: [(Double(figures.savedBytes), index)], note: "\(Figures.bytes(figures.savedBytes)), \(figures.guestsFit) guests"))
            table.append(
                [policy.rawValue, Figures.bytes(figures.savedBytes), Figures.percent(figures.savedBytes, of: inputs), "\(figures.guestsFit)"]
                    + (sample == nil ? [] : [Figures.bytes(figures.savedBytesLow ?? 0) + " – " + Figures.bytes(figures.savedBytesHigh ?? 0)]))
        }
        let scale = ChartScale.bytes(upper: Double(max(1, policies.all.savedBytes)))
        let chart = SVGBars(rows: rows, scale: scale, title: "saved by the inputs (\(scale.unitName))", description: "Saving under each merge policy")
        return HTML.section(
            id: "policies", title: "Merge policies",
            chart.render()
                + HTML.table(
                    ["policy", "saved", "share of memory", "guests that fit (under churn)"] + (sample == nil ? [] : ["95 % interval"]),
                    table, numeric: [1, 2, 3])
                + HTML.paragraph(Self.sideChannelNote, class: "note"))
    }

    private func hugePageSection(_ thp: HugePageReport) -> String {
        let rows = thp.tradeoff.map { ["at least \($0.minMergedPercent) %", "\($0.regionsSplit)", Figures.bytes($0.savedBytes)] }
        let x = ChartScale(upper: Double(max(1, thp.regions)), count: 5, unitName: "regions")
        let all = policies[policy]?.savedBytes ?? 0
        let y = ChartScale.bytes(upper: Double(max(1, all)))
        var chart = SVGChart(
            x: x, y: y, xTitle: "2 MiB huge pages split (count of regions)", yTitle: "saved (\(y.unitName))",
            description: "Huge pages split against memory saved")
        let points = [(Double(thp.regionsSplit), Double(all))] + thp.tradeoff.map { (Double($0.regionsSplit), Double($0.savedBytes)) }
        chart.line(points.sorted { $0.0 < $1.0 }, series: 0, legend: "merge only where a share of pages merges")
        chart.dots(points, series: 0, labels: ["any"] + thp.tradeoff.map { "≥\($0.minMergedPercent)%" })
        let perGuest = thp.images.map { image in
            [Self.shortName(image.path), "\(image.regions)", "\(image.regionsSplit)", Figures.percent(image.regionsSplit, of: image.regions)]
        }
        return HTML.section(
            id: "huge-pages", title: "Transparent huge pages",
            HTML.paragraph("ksmd splits a 2 MiB transparent huge page when it merges one of its pages, and khugepaged does not collapse it again; hugetlbfs-backed guests are never merged. Merging everywhere splits \(thp.regionsSplit) of \(thp.regions) regions. Merging only where a larger share of a region's pages merge keeps more huge pages and saves less:")
                + chart.render()
                + HTML.table(["merge only where the share of merged pages is", "regions split", "saved"], rows, numeric: [1, 2])
                + HTML.table(["guest", "regions", "split", "share split"], perGuest, numeric: [1, 2, 3]))
    }

    private func placementSection(_ placement: PlacementReport) -> String {
        let values = [placement.savedBytes, placement.roundRobinSavedBytes, placement.firstFitSavedBytes]
        let scale = ChartScale.bytes(upper: Double(max(1, values.max() ?? 1)))
        let gain = placement.roundRobinSavedBytes > 0
            ? String(format: "%+.0f %%", Double(placement.savedBytes - placement.roundRobinSavedBytes) * 100 / Double(placement.roundRobinSavedBytes)) : "n/a"
        let chart = SVGBars(
            rows: [
                .init(label: "this placement", segments: [(Double(values[0]), 0)], note: Figures.bytes(values[0])),
                .init(label: "round-robin", segments: [(Double(values[1]), 4)], note: Figures.bytes(values[1]) + (placement.roundRobinFits ? "" : " (overflows)")),
                .init(label: "first-fit", segments: [(Double(values[2]), 3)], note: Figures.bytes(values[2]) + (placement.firstFitUnplaced > 0 ? " (\(placement.firstFitUnplaced) unplaced)" : "")),
            ], scale: scale, title: "saved on all \(placement.hosts.count) hosts (\(scale.unitName))",
            description: "Saving of this placement, round-robin and first-fit")
        let rows = placement.hosts.enumerated().map { index, host in
            ["\(index + 1)", "\(host.guests.count)", Figures.bytes(host.usedBytes), Figures.bytes(host.savedBytes), host.guests.map(Self.shortName).joined(separator: ", ")]
        }
        return HTML.section(
            id: "placement", title: "Placement on \(placement.hosts.count) hosts",
            HTML.paragraph("Found by \(placement.method); every host's saving is \(sample == nil ? "exact" : "estimated from the sample"). Against round-robin: \(gain).")
                + chart.render()
                + HTML.table(["host", "guests", "used", "saved", "guests on it"], rows, numeric: [1, 2, 3])
                + (placement.unplaced.isEmpty ? "" : HTML.paragraph("Placed nowhere: " + placement.unplaced.map(Self.shortName).joined(separator: ", "), class: "note")))
    }

    /// A path's last component.
    static func shortName(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The report's style sheet: system fonts only, colours that print, no page break inside a
    /// chart or table.
    static let styleSheet = """
        :root { --ink: #1d2330; --muted: #5b6475; --rule: #d5d9e0; --accent: #084594; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f4f5f7; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
        main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 40px; background: #fff; }
        h1 { font-size: 26px; margin: 0 0 6px; }
        h2 { font-size: 19px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--rule); }
        section { margin: 0 0 30px; }
        p { margin: 6px 0 10px; max-width: 900px; }
        p.lead { color: var(--muted); }
        p.verdict { font-size: 17px; font-weight: 600; padding: 12px 16px; border-left: 5px solid var(--accent); background: #eef3fa; }
        p.note, p.small, footer p { color: var(--muted); font-size: 13px; }
        .cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin: 12px 0 4px; }
        .card { border: 1px solid var(--rule); border-radius: 6px; padding: 8px 12px; }
        .card .value { font-size: 22px; font-weight: 700; }
        .card .label { color: var(--muted); font-size: 13px; }
        table { border-collapse: collapse; margin: 8px 0 12px; font-size: 14px; }
        caption { text-align: left; color: var(--muted); }
        th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
        th { background: #f0f2f5; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        pre { background: #f0f2f5; padding: 8px 12px; border-radius: 4px; font-size: 14px; }
        svg.chart { display: block; width: 100%; height: auto; margin: 6px 0 8px; }
        svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--ink); }
        svg .tick { font-size: 12px; fill: var(--muted); }
        svg .axis-title { font-size: 13px; font-weight: 600; }
        svg .legend, svg .bar-label, svg .bar-note { font-size: 13px; }
        svg .point-label, svg .marker-label { font-size: 12px; }
        svg .cell-value { font-size: 11px; }
        svg .cell-value.light { fill: #fff; }
        svg .grid { stroke: #e6e8ec; stroke-width: 1; }
        svg .axis { fill: none; stroke: var(--ink); stroke-width: 1.2; }
        svg .marker { stroke: var(--muted); stroke-width: 1.2; stroke-dasharray: 2 3; }
        svg .line { fill: none; stroke-width: 2.4; }
        svg .dashed { stroke-dasharray: 7 5; }
        svg .cell { stroke: #fff; stroke-width: 1; }
        .s0 { stroke: #2166ac; fill: #2166ac; } svg .line.s0 { fill: none; }
        .s1 { stroke: #e08214; fill: #e08214; } svg .line.s1 { fill: none; }
        .s2 { stroke: #1b7837; fill: #1b7837; } svg .line.s2 { fill: none; }
        .s3 { stroke: #8073ac; fill: #8073ac; } svg .line.s3 { fill: none; }
        .s4 { stroke: #b2182b; fill: #b2182b; } svg .line.s4 { fill: none; }
        @media (max-width: 700px) { .cards { grid-template-columns: repeat(2, 1fr); } main { padding: 16px; } }
        @media print {
          @page { margin: 14mm; }
          body { background: #fff; font-size: 11pt; }
          main { max-width: none; padding: 0; }
          section { break-inside: auto; }
          h2 { break-after: avoid; }
          svg, table, pre, p.verdict, .cards { break-inside: avoid; }
          p.verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        """
}
