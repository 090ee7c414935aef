/// Watches ksmd's work inside a batch, page by page: what the tuner records to re-time one
/// simulation for many `pages_to_scan` and `sleep_millisecs` values (``ScanCostTrace``).
///
/// ``KSMSimulator`` is generic over it, so the observer of ordinary runs costs nothing.
protocol BatchObserver {
    /// A batch started; `cpu` is ksmd's CPU time once the batch's own overhead is charged,
    /// `operations` the page-data operations so far.
    mutating func batchStarted(cpu: Double, operations: Double)
    /// A page was processed (handed to `cmp_and_merge_page()`); `cpu` is ksmd's CPU time,
    /// `savedPages` the saving and `operations` the page-data operations so far
    /// (``KSMWorkCounts/pageDataOperations``) after it.
    mutating func pageProcessed(cpu: Double, savedPages: Int, operations: Double)
    /// The full scan ended inside this batch; `cpu` is ksmd's CPU time then.
    mutating func fullScanEnded(cpu: Double)
}

/// The observer that watches nothing.
struct NoBatchObserver: BatchObserver {
    @inline(__always) mutating func batchStarted(cpu: Double, operations: Double) {}
    @inline(__always) mutating func pageProcessed(cpu: Double, savedPages: Int, operations: Double) {}
    @inline(__always) mutating func fullScanEnded(cpu: Double) {}
}
