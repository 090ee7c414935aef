import Foundation

/// A nested report as CSV: one row `path,value` per figure of its JSON, so both carry exactly
/// the same figures (`guests_fit.with_ksm,4`, `sharing_curve[0].saved_bytes,2580480`).
enum ReportCSV {
    /// `value`'s JSON (``ReportJSON``) flattened: object keys joined by `.` in key order, array
    /// items as `[i]`, under the header `path,value`; fields quoted when they need it.
    static func flattened<T: Encodable>(_ value: T) throws -> String {
        let root = try JSONDecoder().decode(SpecJSON.self, from: Data(try ReportJSON.encode(value).utf8))
        var out = "path,value\n"
        for (path, leaf) in leaves(root, prefix: "") { out += "\(quoted(path)),\(quoted(leaf))\n" }
        return out
    }

    private static func leaves(_ value: SpecJSON, prefix: String) -> [(String, String)] {
        switch value {
        case .null: [(prefix, "")]
        case .bool(let flag): [(prefix, flag ? "true" : "false")]
        // Whole numbers as integers: byte counts stay exact below 2^53.
        case .number(let number):
            [(prefix, number == number.rounded() && abs(number) < 0x1p53 ? String(Int(number)) : String(number))]
        case .string(let text): [(prefix, text)]
        case .array(let items): items.enumerated().flatMap { leaves($1, prefix: "\(prefix)[\($0)]") }
        case .object(let members):
            members.keys.sorted().flatMap { leaves(members[$0]!, prefix: prefix.isEmpty ? $0 : "\(prefix).\($0)") }
        }
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
