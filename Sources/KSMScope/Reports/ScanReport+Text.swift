extension ScanReport {
    /// A readable summary: totals, percentages, policies and the per-image table.
    public var text: String {
        let bytes = pages * pageSize
        var out = "ksmscope scan: \(images.count) image(s), \(pages) pages of \(pageSize) bytes (\(Figures.bytes(bytes)))\n"
        out += "tunables: max_page_sharing \(tunables.maxPageSharing), use_zero_pages \(tunables.useZeroPages ? 1 : 0)\n"
        out += "equality: \(equality.explanation)\n"
        if let sample {
            out += "sampled 1/\(sample.every) of the contents (zero pages in full): every count below is of the sample;\n"
            out += "  estimated saving of all pages \(Figures.bytes(sample.savedBytes)) (\(Figures.percent(sample.savedBytes, of: bytes))),"
            out += " 95% confidence interval \(Figures.bytes(sample.savedBytesLow)) to \(Figures.bytes(sample.savedBytesHigh))\n"
        }
        out += "\n"
        out += Figures.table([
            ["zero pages", "\(zeroPages)", Figures.percent(zeroPages, of: pages)],
            ["distinct contents", "\(distinctContents)", ""],
            ["pages_shared", "\(pagesShared)", Figures.percent(pagesShared, of: pages)],
            ["pages_sharing", "\(pagesSharing)", Figures.percent(pagesSharing, of: pages)],
            ["pages unmerged", "\(pagesUnmerged)", Figures.percent(pagesUnmerged, of: pages)],
            ["ksm_zero_pages", "\(ksmZeroPages)", Figures.percent(ksmZeroPages, of: pages)],
            ["stable_node_chains", "\(stableNodeChains)", ""],
            ["stable_node_dups", "\(stableNodeDups)", ""],
            ["rmap items", "\(rmapItems)", Figures.bytes(rmapItems * KSMTunables.rmapItemBytes)],
            ["saved", Figures.bytes(savedBytes), Figures.percent(savedBytes, of: bytes)],
            ["general_profit", Figures.bytes(generalProfit), Figures.percent(generalProfit, of: bytes)],
        ])
        out += "\nsaved bytes by merge policy:\n"
        var policyRows = [
            ["  all (KSM as is)", Figures.bytes(policies.all), Figures.percent(policies.all, of: bytes)],
            ["  intra_image (per-VM salting)", Figures.bytes(policies.intraImage), Figures.percent(policies.intraImage, of: bytes)],
            ["  zero_only", Figures.bytes(policies.zeroOnly), Figures.percent(policies.zeroOnly, of: bytes)],
        ]
        if let domain = policies.domain {
            policyRows.append(["  domain (per domain)", Figures.bytes(domain), Figures.percent(domain, of: bytes)])
        }
        out += Figures.table(policyRows)
        out += "\n"
        // The domain column only when the domain policy was asked for, as in the CSV.
        let domains = policies.domain != nil
        var rows = [
            ["image"] + (domains ? ["domain"] : [])
                + ["pages", "zero", "unique", "self-shared", "cross-shared", "merging", "ksm_zero", "profit"]
        ]
        for image in images {
            rows.append(
                [image.path] + (domains ? [image.domain ?? ""] : []) + [
                    "\(image.pages)", "\(image.zeroPages)", "\(image.uniquePages)", "\(image.selfSharedPages)",
                    "\(image.crossSharedPages)", "\(image.ksmMergingPages)", "\(image.ksmZeroPages)",
                    Figures.bytes(image.ksmProcessProfit),
                ])
        }
        out += Figures.table(rows)
        out += liveText
        if unreadablePages > 0 {
            out += "\n\(unreadablePages) unreadable pages were left out (--keep-going)\n"
        }
        if ignoredBytes > 0 {
            out += "\n\(ignoredBytes) trailing bytes after the last whole page were ignored\n"
        }
        return out
    }
}

extension ScanReport {
    /// The live processes' section of ``text``: what KSM does for them now beside the
    /// prediction; empty when no image is a live process.
    var liveText: String {
        let live = images.filter { $0.live != nil }
        guard !live.isEmpty else { return "" }
        var out = "\nlive processes: memory read while they run, NOT an atomic snapshot; \"now\" is KSM's state just before the read\n"
        var rows = [[
            "image", "pid", "command", "selected", "resident", "untouched", "KSM pages now", "merging now", "profit now",
            "merging predicted", "profit predicted",
        ]]
        func count(_ value: Int?) -> String { value.map(String.init) ?? "n/a" }
        for image in live {
            guard let process = image.live else { continue }
            let selected = process.mappings.reduce(0) { $0 + $1.end - $1.start }
            rows.append([
                image.path, "\(process.pid)", process.command, Figures.bytes(selected), count(process.residentPages),
                count(process.untouchedPages), count(process.alreadyMergedPages),
                count(process.ksmStat?.ksmMergingPages), process.ksmStat?.ksmProcessProfit.map(Figures.bytes) ?? "n/a",
                "\(image.ksmMergingPages)", Figures.bytes(image.ksmProcessProfit),
            ])
        }
        out += Figures.table(rows)
        for image in live {
            guard let process = image.live else { continue }
            let mappings = process.mappings.map { mapping in
                "0x\(String(mapping.start, radix: 16))-0x\(String(mapping.end, radix: 16))"
                    + (mapping.mergeable ? " (mergeable)" : "")
            }
            out += "  \(image.path): read \(mappings.joined(separator: ", "))\n"
            for note in process.notes { out += "  \(image.path): \(note)\n" }
        }
        return out
    }
}
