import Foundation

extension ScanReport {
    /// The CSV header of ``csv``.
    public static let csvColumns = [
        "path", "pages", "zero_pages", "unique_pages", "self_shared_pages", "cross_shared_pages", "ignored_bytes",
        "unreadable_pages", "domain", "ksm_rmap_items", "ksm_merging_pages", "ksm_zero_pages", "ksm_process_profit",
    ]

    /// The columns ``csv`` appends when some image is a live process (`--pid`, `--qemu`); empty
    /// cells for image files and for what could not be read. `live_` fields are KSM's state
    /// before the read, the others the prediction.
    public static let csvLiveColumns = [
        "live_pid", "live_atomic", "live_resident_pages", "live_untouched_pages", "live_already_merged_pages",
        "live_ksm_rmap_items", "live_ksm_merging_pages", "live_ksm_zero_pages", "live_ksm_process_profit",
    ]

    /// The per-image table as CSV (RFC 4180 quoting), one row per image in input order.
    public var csv: String {
        let live = images.contains { $0.live != nil }
        var out = (Self.csvColumns + (live ? Self.csvLiveColumns : [])).joined(separator: ",") + "\n"
        for image in images {
            var fields = [
                CSV.field(image.path), "\(image.pages)", "\(image.zeroPages)", "\(image.uniquePages)",
                "\(image.selfSharedPages)", "\(image.crossSharedPages)", "\(image.ignoredBytes)",
                "\(image.unreadablePages)", CSV.field(image.domain ?? ""), "\(image.ksmRmapItems)", "\(image.ksmMergingPages)",
                "\(image.ksmZeroPages)", "\(image.ksmProcessProfit)",
            ]
            if live { fields += Self.csvLiveFields(image.live) }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// The cells of ``csvLiveColumns`` for one image.
    static func csvLiveFields(_ process: LiveProcessReport?) -> [String] {
        guard let process else { return Array(repeating: "", count: csvLiveColumns.count) }
        func cell(_ value: Int?) -> String { value.map(String.init) ?? "" }
        return [
            "\(process.pid)", process.atomic ? "true" : "false", cell(process.residentPages), cell(process.untouchedPages),
            cell(process.alreadyMergedPages), cell(process.ksmStat?.ksmRmapItems), cell(process.ksmStat?.ksmMergingPages),
            cell(process.ksmStat?.ksmZeroPages), cell(process.ksmStat?.ksmProcessProfit),
        ]
    }
}

/// RFC 4180 field quoting.
enum CSV {
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
