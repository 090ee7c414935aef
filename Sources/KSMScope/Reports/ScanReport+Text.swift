extension ScanReport {
    /// A readable summary: totals, percentages, policies and the per-image table.
    public var text: String {
        let bytes = pages * pageSize
        var out = "ksmscope scan: \(images.count) image(s), \(pages) pages of \(pageSize) bytes (\(Figures.bytes(bytes)))\n"
        out += "tunables: max_page_sharing \(tunables.maxPageSharing), use_zero_pages \(tunables.useZeroPages ? 1 : 0)\n\n"
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
        var rows = [["image", "pages", "zero", "unique", "self-shared", "cross-shared", "merging", "ksm_zero", "profit"]]
        for image in images {
            rows.append([
                image.path, "\(image.pages)", "\(image.zeroPages)", "\(image.uniquePages)", "\(image.selfSharedPages)",
                "\(image.crossSharedPages)", "\(image.ksmMergingPages)", "\(image.ksmZeroPages)",
                Figures.bytes(image.ksmProcessProfit),
            ])
        }
        out += Figures.table(rows)
        if unreadablePages > 0 {
            out += "\n\(unreadablePages) unreadable pages were left out (--keep-going)\n"
        }
        if ignoredBytes > 0 {
            out += "\n\(ignoredBytes) trailing bytes after the last whole page were ignored\n"
        }
        return out
    }
}
