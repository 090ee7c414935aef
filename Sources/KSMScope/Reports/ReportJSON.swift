import Foundation

/// Encodes reports as JSON with stable key order.
public enum ReportJSON {
    /// Encodes `value` as pretty-printed JSON with sorted keys and a trailing newline.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}

