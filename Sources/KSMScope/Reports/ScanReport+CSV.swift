import Foundation

extension ScanReport {
    /// The CSV header of ``csv``.
    public static let csvColumns = [
        "path", "pages", "zero_pages", "unique_pages", "self_shared_pages", "cross_shared_pages", "ignored_bytes",
        "unreadable_pages", "domain", "ksm_rmap_items", "ksm_merging_pages", "ksm_zero_pages", "ksm_process_profit",
    ]

    /// The per-image table as CSV (RFC 4180 quoting), one row per image in input order.
    public var csv: String {
        var out = Self.csvColumns.joined(separator: ",") + "\n"
        for image in images {
            let fields = [
                CSV.field(image.path), "\(image.pages)", "\(image.zeroPages)", "\(image.uniquePages)",
                "\(image.selfSharedPages)", "\(image.crossSharedPages)", "\(image.ignoredBytes)",
                "\(image.unreadablePages)", CSV.field(image.domain ?? ""), "\(image.ksmRmapItems)", "\(image.ksmMergingPages)",
                "\(image.ksmZeroPages)", "\(image.ksmProcessProfit)",
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}

/// RFC 4180 field quoting.
enum CSV {
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
