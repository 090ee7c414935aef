import Dispatch

/// Records ``HashBucketSort`` orders: by a uniformly spread 64-bit hash first.
/// (`SendableMetatype`: the sorting workers' closures name the record's type.)
protocol HashSortable: SendableMetatype {
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

extension HashBucketSort {
    /// Sorts the records of `parts` into `output` (as many records as the parts hold): one
    /// pass counts the records of each bucket of top hash bits, a second copies each record
    /// straight to its bucket, then each bucket (a few dozen records) is sorted in place.
    ///
    /// Where a copy is made anyway (gathering a partition from the workers' buffers), this
    /// replaces the in-place pass of ``sort(_:workers:)``, whose chain of dependent swaps
    /// waits on memory, with independent writes: about 3 times faster.
    static func sort<Record: HashSortable & BitwiseCopyable>(
        copying parts: [UnsafeBufferPointer<Record>], into output: UnsafeMutableBufferPointer<Record>
    ) {
        let count = output.count
        precondition(parts.reduce(0) { $0 + $1.count } == count)
        // About 4 records a bucket (an insertion sort of a few is nearly free); at most 2^18
        // buckets (2 MiB of counters).
        let bits = max(0, min(18, Int.bitWidth - (count / 4).leadingZeroBitCount))
        let bucketCount = 1 << bits
        let shift = UInt64(64 - bits)
        let next = UnsafeMutableBufferPointer<Int>.allocate(capacity: bucketCount + 1)
        defer { next.deallocate() }
        next.initialize(repeating: 0)
        if bits > 0 {
            for part in parts { for record in part { next[Int(truncatingIfNeeded: record.sortHash >> shift) + 1] += 1 } }
        } else {
            next[1] = count
        }
        for index in 0..<bucketCount { next[index + 1] += next[index] }
        for part in parts {
            for record in part {
                let bucket = bits == 0 ? 0 : Int(truncatingIfNeeded: record.sortHash >> shift)
                output[next[bucket]] = record  // bitwise copyable: assigning initializes
                next[bucket] += 1
            }
        }
        // Each bucket now ends where the next one starts.
        var start = 0
        for bucket in 0..<bucketCount {
            let end = next[bucket]
            if end - start > 1 { insertionSort(UnsafeMutableBufferPointer(rebasing: output[start..<end])) }
            start = end
        }
    }

    /// Sorts a small run in place (larger ones, which only a skewed hash makes, by the standard
    /// library's sort).
    @inline(__always)
    private static func insertionSort<Record: HashSortable>(_ run: UnsafeMutableBufferPointer<Record>) {
        guard run.count <= 64 else {
            var run = run
            run.sort(by: Record.precedes)
            return
        }
        for index in 1..<run.count {
            let record = run[index]
            var slot = index
            while slot > 0, Record.precedes(record, run[slot - 1]) {
                run[slot] = run[slot - 1]
                slot -= 1
            }
            run[slot] = record
        }
    }
}
