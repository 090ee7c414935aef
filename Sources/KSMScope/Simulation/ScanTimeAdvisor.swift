/// The scan-time advisor (`scan_time_advisor()`, v6.8+): after every full scan it sets
/// `pages_to_scan` so that a full scan takes `advisor_target_scan_time`, within ksmd CPU bounds.
///
/// The arithmetic is the kernel's, in unsigned integers with truncating division: scan time in
/// whole seconds (at least 1), ksmd's CPU time in milliseconds, CPU percent (at least 1), a
/// change factor smoothed by an exponentially weighted moving average of weight 30 that starts
/// at 0, and the clamps `per_page_cost × advisor_max_cpu`, `per_page_cost × 10` and
/// `advisor_max_pages_to_scan`.
public struct ScanTimeAdvisor: Sendable, Equatable {
    /// `advisor_ctx.start_scan`: when the current full scan started, in nanoseconds.
    public private(set) var startScanNanoseconds: UInt64 = 0
    /// `advisor_ctx.scan_time`: the previous scan's time in seconds (0 before the first).
    public private(set) var scanTime: UInt64 = 0
    /// `advisor_ctx.change`: the smoothed change percentage.
    public private(set) var change: UInt64 = 0
    /// `advisor_ctx.cpu_time`: ksmd's CPU time at the end of the previous scan, nanoseconds.
    public private(set) var cpuTimeNanoseconds: UInt64 = 0

    /// `KSM_ADVISOR_MIN_CPU`: the CPU percent below which the advisor does not go.
    public static let minimumCPUPercent: UInt64 = 10
    /// `EWMA_WEIGHT`.
    public static let ewmaWeight: UInt64 = 30

    /// A fresh context, as `set_advisor_defaults()` leaves it.
    public init() {}

    /// `advisor_start_scan()`: a full scan starts now.
    public mutating func startScan(nowNanoseconds: UInt64) { startScanNanoseconds = nowNanoseconds }

    /// `scan_time_advisor()`: the full scan ends now; returns the new `pages_to_scan`.
    ///
    /// - Parameters:
    ///   - nowNanoseconds: the time now.
    ///   - cpuTimeNanoseconds: ksmd's total CPU time so far.
    ///   - pagesToScan: `pages_to_scan` during the scan that ends.
    ///   - tunables: the advisor's limits.
    public mutating func stopScan(
        nowNanoseconds: UInt64, cpuTimeNanoseconds cpuTime: UInt64, pagesToScan: UInt64, tunables: SimulatorTunables
    ) -> UInt64 {
        let elapsedMilliseconds =
            nowNanoseconds >= startScanNanoseconds ? (nowNanoseconds - startScanNanoseconds) / 1_000_000 : 0
        var scanTime = elapsedMilliseconds / 1000
        if scanTime == 0 { scanTime = 1 }

        let cpuTimeDiffMilliseconds = (cpuTime &- cpuTimeNanoseconds) / 1000 / 1000
        // cpu_percent is an unsigned int in the kernel.
        var cpuPercent = UInt64(UInt32(truncatingIfNeeded: cpuTimeDiffMilliseconds * 100 / (scanTime * 1000)))
        if cpuPercent == 0 { cpuPercent = 1 }
        let lastScanTime = self.scanTime != 0 ? self.scanTime : scanTime

        var factor = UInt64(tunables.advisorTargetScanTime) * 100 / scanTime
        if factor == 0 { factor = 1 }

        var change = scanTime * 100 / lastScanTime
        if change == 0 { change = 1 }
        change = ((100 - Self.ewmaWeight) * self.change + Self.ewmaWeight * change) / 100

        var pages = pagesToScan * 100 / factor
        pages = pages * change / 100

        var perPageCost = pagesToScan / cpuPercent
        if perPageCost == 0 { perPageCost = 1 }

        pages = min(pages, perPageCost * UInt64(tunables.advisorMaxCPU))
        pages = max(pages, perPageCost * Self.minimumCPUPercent)
        pages = min(pages, UInt64(tunables.advisorMaxPagesToScan))

        self.change = change
        self.scanTime = scanTime
        self.cpuTimeNanoseconds = cpuTime
        // ksm_thread_pages_to_scan is an unsigned int.
        return UInt64(UInt32(truncatingIfNeeded: pages))
    }
}
