import Dispatch

/// Records ``HashBucketSort`` orders: by a uniformly spread 64-bit hash first.
protocol HashSortable {
    /// The hash whose top bits pick the bucket.
    var sortHash: UInt64 { get }
    /// The full order, consistent with ``sortHash``: a record with a smaller hash comes first.
    static func precedes(_ a: Self, _ b: Self) -> Bool
}

extension PageRecord: HashSortable {
    var sortHash: UInt64 { hash }
}

extension SpillRecord: HashSortable {
    var sortHash: UInt64 { fingerprint.xxh64 }
}

/// Sorts records by hash (and then their own order) in place, in parallel: one pass scatters
/// records into buckets by their top hash bits (American flag sort), then workers sort the small
/// buckets.
///
/// Sorting in place keeps the scan's memory at 16 bytes a page (24 in the fingerprint engine);
/// a radix sort with a second buffer, or the standard library's merge sort, would double it.
enum HashBucketSort {
    static func sort<Record: HashSortable>(_ records: UnsafeMutableBufferPointer<Record>, workers: Int) {
        let count = records.count
        guard count > 1 else { return }
        // About 64 records a bucket: small enough to sort in cache.
        let bits = max(0, min(22, Int.bitWidth - (count / 64).leadingZeroBitCount))
        let bucketCount = 1 << bits
        @inline(__always) func bucket(_ record: Record) -> Int {
            bits == 0 ? 0 : Int(truncatingIfNeeded: record.sortHash >> UInt64(64 - bits))
        }

        var starts = [Int](repeating: 0, count: bucketCount + 1)
        for record in records { starts[bucket(record) + 1] += 1 }
        for index in 0..<bucketCount { starts[index + 1] += starts[index] }

        var next = starts
        for home in 0..<bucketCount {
            let end = starts[home + 1]
            while next[home] < end {
                var record = records[next[home]]
                var target = bucket(record)
                while target != home {
                    swap(&record, &records[next[target]])
                    next[target] += 1
                    target = bucket(record)
                }
                records[next[home]] = record
                next[home] += 1
            }
        }

        nonisolated(unsafe) let shared = records
        let bounds = starts
        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { worker in
            var home = worker
            while home < bucketCount {
                let range = bounds[home]..<bounds[home + 1]
                if range.count > 1 {
                    var slice = UnsafeMutableBufferPointer(rebasing: shared[range])
                    slice.sort(by: Record.precedes)
                }
                home += max(1, workers)
            }
        }
    }
}
