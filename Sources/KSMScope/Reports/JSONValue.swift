import Foundation

/// Any JSON value, read back from a report's own JSON: what lets a nested report be written as
/// one `path,value` CSV row per figure, with exactly the figures of its JSON.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Every leaf as `(path, value)`: object keys joined by `.`, array items as `[i]`, in
    /// key order.
    func leaves(prefix: String = "") -> [(path: String, value: String)] {
        switch self {
        case .null: [(prefix, "")]
        case .bool(let value): [(prefix, value ? "true" : "false")]
        case .integer(let value): [(prefix, String(value))]
        case .number(let value): [(prefix, String(value))]
        case .string(let value): [(prefix, value)]
        case .array(let items):
            items.enumerated().flatMap { index, item in item.leaves(prefix: "\(prefix)[\(index)]") }
        case .object(let members):
            members.keys.sorted().flatMap { key in
                members[key]!.leaves(prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
            }
        }
    }

    /// `value` as CSV rows `path,value` under a header, each field quoted when it needs it.
    static func csv<T: Encodable>(_ value: T) throws -> String {
        let data = Data(try ReportJSON.encode(value).utf8)
        let root = try JSONDecoder().decode(JSONValue.self, from: data)
        var out = "path,value\n"
        for leaf in root.leaves() { out += "\(quoted(leaf.path)),\(quoted(leaf.value))\n" }
        return out
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
