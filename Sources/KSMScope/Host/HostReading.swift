/// What reading one of the kernel's files gave: a value, nothing (the kernel lacks the feature),
/// or a file that exists but could not be read or understood.
public enum HostReading<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The file's value.
    case value(Value)
    /// The file does not exist.
    case missing(path: String)
    /// The file exists but could not be read (`reason`, such as "Permission denied") or parsed.
    case unreadable(path: String, reason: String)

    /// The value, if the file was read.
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// Why there is no value, as one line naming the file; nil when there is one.
    public var problem: String? {
        switch self {
        case .value: nil
        case .missing(let path): "\(path) does not exist"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }

    /// Whether the file exists but could not be read.
    public var isUnreadable: Bool {
        if case .unreadable = self { return true }
        return false
    }

    /// The reading with its value transformed.
    public func map<T>(_ transform: (Value) -> T) -> HostReading<T> {
        flatMap { .value(transform($0)) }
    }

    /// The reading with its value replaced by another reading (which may fail).
    public func flatMap<T>(_ transform: (Value) -> HostReading<T>) -> HostReading<T> {
        switch self {
        case .value(let value): transform(value)
        case .missing(let path): .missing(path: path)
        case .unreadable(let path, let reason): .unreadable(path: path, reason: reason)
        }
    }
}
