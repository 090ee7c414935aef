import Synchronization

/// A thread-safe count of finished work units, read by a progress display on another thread.
public final class ProgressCounter: Sendable {
    private let units = Atomic<Int>(0)
    private let done = Atomic<Int>(0)

    /// Creates a counter for a job of `total` units (0 when not known yet).
    public init(total: Int = 0) { units.store(total, ordering: .relaxed) }

    /// The number of units the whole job has.
    public var total: Int { units.load(ordering: .relaxed) }

    /// Sets the job's size once it is known.
    public func setTotal(_ total: Int) { units.store(total, ordering: .relaxed) }

    /// Adds finished units.
    public func advance(by units: Int) { done.add(units, ordering: .relaxed) }

    /// Sets the units finished so far, for work measured rather than counted.
    public func set(completed: Int) { done.store(completed, ordering: .relaxed) }

    /// The units finished so far.
    public var completed: Int { done.load(ordering: .relaxed) }
}
