import Dispatch

/// Sorts page records by hash and page in place, in parallel: one pass scatters records into
/// buckets by their top hash bits (American flag sort), then workers sort the small buckets.
///
/// Sorting in place keeps the scan's memory at 16 bytes a page; a radix sort with a second
/// buffer would double it.
enum HashBucketSort {
    static func sort(_ records: UnsafeMutableBufferPointer<PageRecord>, workers: Int) {
        let count = records.count
        guard count > 1 else { return }
        // About 64 records a bucket: small enough to sort in cache.
        let bits = max(0, min(22, Int.bitWidth - (count / 64).leadingZeroBitCount))
        let bucketCount = 1 << bits
        @inline(__always) func bucket(_ record: PageRecord) -> Int {
            bits == 0 ? 0 : Int(truncatingIfNeeded: record.hash >> UInt64(64 - bits))
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
                    slice.sort(by: PageRecord.precedes)
                }
                home += max(1, workers)
            }
        }
    }
}
