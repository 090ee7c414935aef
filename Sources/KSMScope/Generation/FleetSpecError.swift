/// A fleet spec that cannot be used, naming the offending key path (`fleet[1].memory_mib`).
public enum FleetSpecError: Error, Equatable, CustomStringConvertible {
    /// The spec file cannot be read.
    case unreadable(path: String, reason: String)
    /// The text is not JSON.
    case invalidJSON(reason: String)
    /// A key the format does not know (typos included).
    case unknownKey(key: String)
    /// A required key is absent.
    case missingKey(key: String)
    /// A value of the wrong JSON type.
    case wrongType(key: String, expected: String)
    /// A size or count that must be above zero.
    case notPositive(key: String, value: Double)
    /// A size, rate or count below zero.
    case negative(key: String, value: Double)
    /// A fraction outside 0 ... 1.
    case notAFraction(key: String, value: Double)
    /// A name not defined where it must be (an OS or library a guest type uses).
    case unknownName(key: String, name: String)
    /// A name used twice where names must be unique.
    case duplicateName(key: String, name: String)
    /// Any other value the format refuses, with the reason.
    case invalidValue(key: String, reason: String)
    /// A guest type whose fixed parts do not fit in its memory.
    case doesNotFit(key: String, reason: String)

    /// The key path the error is about, if any.
    public var key: String? {
        switch self {
        case .unreadable, .invalidJSON: nil
        case .unknownKey(let key), .missingKey(let key), .wrongType(let key, _), .notPositive(let key, _),
            .negative(let key, _), .notAFraction(let key, _), .unknownName(let key, _),
            .duplicateName(let key, _), .invalidValue(let key, _), .doesNotFit(let key, _):
            key
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read spec: \(reason)"
        case .invalidJSON(let reason): "spec is not valid JSON: \(reason)"
        case .unknownKey(let key): "\(key): unknown key"
        case .missingKey(let key): "\(key): required key is missing"
        case .wrongType(let key, let expected): "\(key): expected \(expected)"
        case .notPositive(let key, let value): "\(key): must be positive (got \(Self.format(value)))"
        case .negative(let key, let value): "\(key): must not be negative (got \(Self.format(value)))"
        case .notAFraction(let key, let value): "\(key): must be a fraction from 0 to 1 (got \(Self.format(value)))"
        case .unknownName(let key, let name): "\(key): '\(name)' is not defined"
        case .duplicateName(let key, let name): "\(key): '\(name)' is used twice"
        case .invalidValue(let key, let reason): "\(key): \(reason)"
        case .doesNotFit(let key, let reason): "\(key): \(reason)"
        }
    }

    /// Prints whole numbers without a fraction.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
