import Foundation

/// A JSON value as the spec reader sees it, decoded without any loss of type: `true` is never a
/// number and `1` is never a boolean.
enum SpecJSON: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([SpecJSON])
    case object([String: SpecJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SpecJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: SpecJSON].self))
        }
    }

    /// Parses `data` as one JSON document.
    static func parse(_ data: Data) throws(FleetSpecError) -> SpecJSON {
        do {
            return try JSONDecoder().decode(SpecJSON.self, from: data)
        } catch {
            throw .invalidJSON(reason: describeSyntaxError(in: data) ?? "\(error)")
        }
    }

    /// Where `data` stops being JSON, as `line L, column C: what`, from JSONSerialization's
    /// "around character N" (JSONDecoder's own message names no position).
    private static func describeSyntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard let range = text.range(of: #"character (\d+)"#, options: .regularExpression),
                let offset = Int(text[range].dropFirst("character ".count))
            else { return text }
            var line = 1
            var column = 1
            for byte in data.prefix(offset) {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            let what = text.replacingOccurrences(of: #" around character \d+\.?"#, with: "", options: .regularExpression)
            return "line \(line), column \(column): \(what.lowercased())"
        }
    }

    /// The JSON type's name, for messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Reads one JSON object of a spec strictly: only the keys the format defines (plus `comment`,
/// which must be a string) are accepted, values must have the asked type, and every error names
/// the key path.
struct SpecObject {
    /// The object's path (`fleet[1]`), empty for the document.
    let path: String
    /// The object's members.
    private let fields: [String: SpecJSON]
    /// The keys this object may have.
    private let allowed: Set<String>

    /// Reads `value`, which must be an object, found at `path`, whose keys must be among `keys`.
    ///
    /// Unknown keys are reported before anything else, so a misspelt key is named as such
    /// rather than as a missing one.
    init(_ value: SpecJSON, path: String, keys: [String]) throws(FleetSpecError) {
        guard case .object(let fields) = value else {
            throw .wrongType(key: path.isEmpty ? "spec" : path, expected: "an object")
        }
        self.path = path
        self.fields = fields
        allowed = Set(keys + ["comment"])
        if let unknown = fields.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw .unknownKey(key: path.isEmpty ? unknown : "\(path).\(unknown)")
        }
        if let comment = fields["comment"] {
            guard case .string = comment else { throw .wrongType(key: keyPath("comment"), expected: "a string") }
        }
    }

    /// The path of member `key`.
    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Marks `key` used and returns its value; a JSON `null` counts as absent.
    private func take(_ key: String) -> SpecJSON? {
        assert(allowed.contains(key), "\(key) is read but not declared")
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    /// Throws if `value` is nil.
    private func required<T>(_ value: T?, _ key: String) throws(FleetSpecError) -> T {
        guard let value else { throw .missingKey(key: keyPath(key)) }
        return value
    }

    /// An optional string.
    func string(_ key: String) throws(FleetSpecError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw .wrongType(key: keyPath(key), expected: "a string") }
        return text
    }

    /// A required string.
    func requiredString(_ key: String) throws(FleetSpecError) -> String {
        try required(try string(key), key)
    }

    /// An optional boolean.
    func bool(_ key: String) throws(FleetSpecError) -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .bool(let flag) = value else { throw .wrongType(key: keyPath(key), expected: "true or false") }
        return flag
    }

    /// An optional number.
    func number(_ key: String) throws(FleetSpecError) -> Double? {
        guard let value = take(key) else { return nil }
        guard case .number(let number) = value, number.isFinite else {
            throw .wrongType(key: keyPath(key), expected: "a number")
        }
        return number
    }

    /// A number of at least zero, or `defaultValue`.
    func nonNegative(_ key: String, default defaultValue: Double) throws(FleetSpecError) -> Double {
        guard let number = try number(key) else { return defaultValue }
        guard number >= 0 else { throw .negative(key: keyPath(key), value: number) }
        return number
    }

    /// A required number above zero.
    func positive(_ key: String) throws(FleetSpecError) -> Double {
        let number = try required(try number(key), key)
        guard number > 0 else { throw .notPositive(key: keyPath(key), value: number) }
        return number
    }

    /// A required size in MiB of at least zero.
    func size(_ key: String) throws(FleetSpecError) -> Double {
        let number = try required(try number(key), key)
        guard number >= 0 else { throw .negative(key: keyPath(key), value: number) }
        return number
    }

    /// A fraction in 0 ... 1, or `defaultValue`.
    func fraction(_ key: String, default defaultValue: Double) throws(FleetSpecError) -> Double {
        guard let number = try number(key) else { return defaultValue }
        guard number >= 0, number <= 1 else { throw .notAFraction(key: keyPath(key), value: number) }
        return number
    }

    /// An optional whole number.
    func integer(_ key: String) throws(FleetSpecError) -> Int? {
        guard let value = take(key) else { return nil }
        guard case .number(let number) = value, number == number.rounded(), abs(number) < 0x1p53 else {
            throw .wrongType(key: keyPath(key), expected: "a whole number")
        }
        return Int(number)
    }

    /// An optional array.
    func array(_ key: String) throws(FleetSpecError) -> [SpecJSON]? {
        guard let value = take(key) else { return nil }
        guard case .array(let items) = value else { throw .wrongType(key: keyPath(key), expected: "an array") }
        return items
    }

    /// An optional object with the given keys.
    func object(_ key: String, keys: [String]) throws(FleetSpecError) -> SpecObject? {
        guard let value = take(key) else { return nil }
        return try SpecObject(value, path: keyPath(key), keys: keys)
    }

    /// An optional array of strings.
    func strings(_ key: String) throws(FleetSpecError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw .wrongType(key: "\(keyPath(key))[\(index)]", expected: "a string")
            }
            result.append(text)
        }
        return result
    }
}
