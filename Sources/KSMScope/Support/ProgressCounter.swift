import Synchronization

/// A thread-safe count of finished work units, read by a progress display on another thread.
public final class ProgressCounter: Sendable {
    /// The number of units the whole job has.
    public let total: Int
    private let done = Atomic<Int>(0)

    /// Creates a counter for a job of `total` units.
    public init(total: Int) { self.total = total }

    /// Adds finished units.
    public func advance(by units: Int) { done.add(units, ordering: .relaxed) }

    /// The units finished so far.
    public var completed: Int { done.load(ordering: .relaxed) }
}
