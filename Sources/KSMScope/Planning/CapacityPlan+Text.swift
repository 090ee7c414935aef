extension CapacityPlan {
    /// A readable plan: the verdict, the capacity table with the Nova setting, and every
    /// section's figures.
    public var text: String {
        let n = guests.count
        var out = "ksmscope plan: \(n) guest(s), policy \(policy), max_page_sharing \(tunables.maxPageSharing), "
        out += "use_zero_pages \(tunables.useZeroPages ? 1 : 0), pages of \(pageSize) bytes\n"
        out += "host: \(Figures.bytes(host.hostMemory)), reserved \(Figures.bytes(host.reserved)), usable "
        out += "\(Figures.bytes(host.usable)); each guest costs its memory + \(Figures.bytes(host.guestOverhead)); "
        out += "headroom \(Figures.number(host.headroomPercent)) %\n"
        out += "equality: \(equality.rawValue): pages compared \(equality.explanation)\n"
        if let sample {
            out += "sampled 1/\(sample.every) of the contents (zero pages in full): every saving is an estimate;\n"
            out += "  the inputs save \(Figures.bytes(sample.savedBytes)), 95% confidence interval "
            out += "\(Figures.bytes(sample.savedBytesLow)) to \(Figures.bytes(sample.savedBytesHigh));\n"
            out += "  guests that fit are counted on the low end of each interval (at the estimates: "
            out += "\(sample.guestsFitAtEstimate.withKSM) with KSM, \(sample.guestsFitAtEstimate.withKSMUnderChurn) under churn)\n"
        }
        out += "\n" + verdict + "\n"

        out += "\ncapacity (guests in input order, cycling through the inputs):\n"
        out += Figures.table([
            ["  without KSM", "\(guestsFit.withoutKSM)"],
            ["  with KSM at steady state", "\(guestsFit.withKSM)"],
            [
                "  with KSM under churn (\(String(format: "%.3f", churn.savingFactor)) of the saving)",
                "\(guestsFit.withKSMUnderChurn)",
            ],
        ])
        out += "saving under churn: \(churn.source == "timeline" ? "lowest after convergence" : "steady state (no timeline)") "
        out += "\(Figures.bytes(churn.lowestSavedBytes)) of \(Figures.bytes(churn.convergedSavedBytes)) converged\n"
        out += "\nnova.conf for \(guestsFit.withKSMUnderChurn) guests (Nova admits \(nova.guestsAdmitted)):\n"
        out += "  [DEFAULT]\n  reserved_host_memory_mb = \(nova.reservedHostMemoryMB)\n"
        out += "  ram_allocation_ratio = \(String(format: "%.2f", ramAllocationRatio))\n"
        out += "\nunmerge risk: \(Figures.bytes(unmergeRiskBytes)) come back to the guests if KSM is stopped with 'echo 2 > run'"
        out += sample.map { " (up to \(Figures.bytes($0.unmergeRiskBytesHigh)) at the high end of the interval)\n" } ?? "\n"

        out += "\novercommit for \(overcommit.guests) guests:\n"
        out += Figures.table([
            ["  KSM only (duplicate non-zero pages)", Figures.bytes(overcommit.ksmOnlyBytes)],
            ["  a balloon or free page reporting also returns (zero pages)", Figures.bytes(overcommit.balloonAlsoBytes)],
            ["  swap needed if the saving vanished", Figures.bytes(overcommit.swapNeededBytes)],
        ])

        let inputs = guests.reduce(0) { $0 + $1.memoryBytes }
        let saved = savingsByKind.zeroBytes + savingsByKind.withinGuestBytes + savingsByKind.betweenGuestsBytes
        out += "\nsaving of the \(n) inputs (\(Figures.bytes(inputs))): \(Figures.bytes(saved)) (\(Figures.percent(saved, of: inputs)))\n"
        out += Figures.table([
            ["  zero pages", Figures.bytes(savingsByKind.zeroBytes), Figures.percent(savingsByKind.zeroBytes, of: inputs)],
            [
                "  within a guest", Figures.bytes(savingsByKind.withinGuestBytes),
                Figures.percent(savingsByKind.withinGuestBytes, of: inputs),
            ],
            [
                "  between guests", Figures.bytes(savingsByKind.betweenGuestsBytes),
                Figures.percent(savingsByKind.betweenGuestsBytes, of: inputs),
            ],
        ])

        out += "\nsharing curve:\n"
        var rows = [["  guests", "saved", "marginal", "last input"] + (sample == nil ? [] : ["95% interval"])]
        for point in sharingCurve where !point.extrapolated {
            rows.append(
                [
                    "  \(point.guests)", Figures.bytes(point.savedBytes), Figures.bytes(point.marginalSavedBytes),
                    guests[point.guests - 1].path,
                ] + (sample == nil ? [] : [Self.interval(point.savedBytesLow, point.savedBytesHigh)]))
        }
        if let last = sharingCurve.last, last.extrapolated {
            rows.append([
                "  \(last.guests)", Figures.bytes(last.savedBytes), Figures.bytes(last.marginalSavedBytes), "(extrapolated)",
            ])
        }
        out += Figures.table(rows)

        out += "\npolicies (guests counted as under churn):\n"
        var policyRows = [["  policy", "saved", "guests"] + (sample == nil ? [] : ["95% interval"])]
        for policy in MergePolicy.allCases {
            guard let figures = policies[policy] else { continue }
            policyRows.append(
                ["  \(policy)", Figures.bytes(figures.savedBytes), "\(figures.guestsFit)"]
                    + (sample == nil ? [] : [Self.interval(figures.savedBytesLow, figures.savedBytesHigh)]))
        }
        out += Figures.table(policyRows)
        out += "  " + Self.sideChannelNote + "\n"

        if let thp {
            out += "\ntransparent huge pages (\(Figures.bytes(thp.regionBytes)) regions): \(thp.regionsSplit) of \(thp.regions) split\n"
            var thpRows = [["  merge only where at least", "regions split", "saved"]]
            for row in thp.tradeoff {
                thpRows.append(["  \(row.minMergedPercent) % of pages merge", "\(row.regionsSplit)", Figures.bytes(row.savedBytes)])
            }
            out += Figures.table(thpRows)
        } else {
            out += "\ntransparent huge pages: left out of a sampled plan (which pages of a region merge needs every page)\n"
        }

        out += "\nguests:\n"
        let regionColumns = thp == nil ? [] : ["THP regions", "split"]
        var guestRows = [["  path", "memory", "saves alone"] + regionColumns + (policy == .domain ? ["domain"] : [])]
        for (index, guest) in guests.enumerated() {
            let regions = thp.map { ["\($0.images[index].regions)", "\($0.images[index].regionsSplit)"] } ?? []
            guestRows.append(
                ["  \(guest.path)", Figures.bytes(guest.memoryBytes), Figures.bytes(guest.aloneSavedBytes)] + regions
                    + (policy == .domain ? [guest.domain ?? ""] : []))
        }
        out += Figures.table(guestRows)

        if let convergence {
            out += "\nconvergence (pages_to_scan \(convergence.pagesToScan), sleep_millisecs \(convergence.sleepMillisecs)"
            out += convergence.advisorMode == "none" ? "):\n" : ", advisor \(convergence.advisorMode)):\n"
            var milestoneRows = [["  share of the converged saving", "full scans", "seconds"]]
            for milestone in convergence.milestones {
                milestoneRows.append([
                    "  \(milestone.percent) %", milestone.fullScans.map(String.init) ?? "never",
                    milestone.tSeconds.map { String(format: "%.1f", $0) } ?? "never",
                ])
            }
            out += Figures.table(milestoneRows)
        } else {
            out += "\nconvergence: ksmd not simulated (see the notes)\n"
        }

        if let cpu { out += cpu.text }
        if let placement { out += placement.text(estimated: sample != nil) }
        if !notes.isEmpty { out += "\nnotes:\n" + notes.map { "  - \($0)\n" }.joined() }
        return out
    }

    /// An interval `low – high`, for a sampled plan's tables.
    static func interval(_ low: Int?, _ high: Int?) -> String {
        "\(Figures.bytes(low ?? 0)) – \(Figures.bytes(high ?? 0))"
    }

    /// Why operators pick the stricter policies, in one paragraph.
    public static let sideChannelNote =
        "Merging across guests is a side channel: a guest that times its writes learns whether a page exists in another"
        + " guest (memory disclosure, CAIN's ASLR break, Flip Feng Shui's Rowhammer on merged pages, remote attacks such as"
        + " CVE-2021-3714). intra_image (VMware's default salting since 2014) closes inter-guest channels, domain keeps"
        + " sharing inside one tenant, zero_only (Windows' policy) leaks only zero pages."
}
