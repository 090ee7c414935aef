#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker's records of every partition, each partition in a growable buffer of its own.
///
/// Appending is the inner loop of the fingerprint engine's pass (one record a non-zero page):
/// raw buffers cost a compare and a store, where an array of arrays checks both for
/// uniqueness on every append. The buffers belong to one worker during the pass and to the
/// worker folding their partition afterwards, never to two threads at once; `@unchecked`
/// only because raw pointers are not `Sendable`.
final class PartitionBuffers: @unchecked Sendable {
    /// Partitions.
    let count: Int
    private let starts: UnsafeMutablePointer<UnsafeMutablePointer<SpillRecord>?>
    private let used: UnsafeMutablePointer<Int>
    private let capacities: UnsafeMutablePointer<Int>
    /// Where ``sortedAndFolded(_:)`` puts its result.
    private var scratch = UnsafeMutableBufferPointer<SpillRecord>(start: nil, count: 0)

    /// Empty buffers for `count` partitions, each with room for `capacity` records.
    init(count: Int, capacity: Int) {
        self.count = count
        starts = .allocate(capacity: count)
        used = .allocate(capacity: count)
        capacities = .allocate(capacity: count)
        used.initialize(repeating: 0, count: count)
        capacities.initialize(repeating: 0, count: count)
        starts.initialize(repeating: nil, count: count)
        if capacity > 0 { for partition in 0..<count { grow(partition, to: capacity) } }
    }

    deinit {
        for partition in 0..<count { free(starts[partition]) }
        scratch.deallocate()
        starts.deallocate()
        used.deallocate()
        capacities.deallocate()
    }

    /// Appends `record` to partition `partition`; returns how many records it holds.
    @inline(__always)
    @discardableResult
    func append(_ record: SpillRecord, to partition: Int) -> Int {
        let count = used[partition]
        if count == capacities[partition] { grow(partition, to: max(64, count * 2)) }
        starts[partition]![count] = record
        used[partition] = count + 1
        return count + 1
    }

    /// The records of `partition`, valid until it is appended to, emptied or released.
    func records(_ partition: Int) -> UnsafeMutableBufferPointer<SpillRecord> {
        UnsafeMutableBufferPointer(start: starts[partition], count: used[partition])
    }

    /// The records of `partition` sorted by content and image, each content's copies in one
    /// image folded into one record; valid until the next call. The partition is unchanged.
    func sortedAndFolded(_ partition: Int) -> UnsafeBufferPointer<SpillRecord> {
        let records = self.records(partition)
        if scratch.count < records.count {
            scratch.deallocate()
            scratch = .allocate(capacity: records.count)
        }
        var sorted = UnsafeMutableBufferPointer(rebasing: scratch[0..<records.count])
        HashBucketSort.sort(copying: [UnsafeBufferPointer(records)], into: sorted)
        return UnsafeBufferPointer(rebasing: sorted[0..<sorted.foldSorted()])
    }

    /// Empties `partition`, keeping its memory.
    func removeAll(_ partition: Int) { used[partition] = 0 }

    /// Empties `partition` and frees its memory.
    func release(_ partition: Int) {
        free(starts[partition])
        starts[partition] = nil
        used[partition] = 0
        capacities[partition] = 0
    }

    private func grow(_ partition: Int, to capacity: Int) {
        // SpillRecord is bitwise copyable: realloc moves it.
        guard let moved = realloc(starts[partition], capacity * SpillRecord.size) else {
            fatalError("out of memory for \(capacity) records")
        }
        starts[partition] = moved.assumingMemoryBound(to: SpillRecord.self)
        capacities[partition] = capacity
    }
}
