/// When a snapshot takes effect.
public enum SnapshotTrigger: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// At the start: the memory ksmd first sees.
    case start
    /// Right after ksmd's `full_scans` reaches this count.
    case afterFullScans(Int)
    /// When the simulated clock reaches this many seconds (before the next batch).
    case atSeconds(Double)

    public var description: String {
        switch self {
        case .start: "start"
        case .afterFullScans(let scans): "after \(scans) full scans"
        case .atSeconds(let seconds): "at \(seconds) s"
        }
    }
}

