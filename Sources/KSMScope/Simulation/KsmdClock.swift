import Foundation

/// ksmd's wall clock: when its batches start and end, given the CPU time they take and the way
/// this kernel ends its sleeps (docs/ksm-model.md, "ksmd's clock").
///
/// - A batch of `c` CPU nanoseconds lasts `c / cpuAvailability` on the wall.
/// - ksmd then sleeps with `schedule_timeout(n)`, `n = msecs_to_jiffies(sleep_millisecs)`: the
///   timer wheel files the timer so that it never fires early, `calc_index()` rounding the
///   expiry up to the next bucket of its level: for a timeout under 63 jiffies (level 0) the
///   timer fires on tick `J + n + 1`, `J` the jiffy the sleep began in; longer timeouts land on
///   buckets of 8, 64, … ticks. So a 20 ms sleep at HZ 250 (5 jiffies) after a short batch
///   lasts 6 ticks, 24 ms, as measured here.
/// - ksmd runs again ``KSMCostProfile/wakeLatency`` after that tick on average. The latency is
///   taken as exponentially distributed, so the jiffy in which a batch ends is its expectation:
///   a batch that ends near the end of a tick sometimes spills into the next one.
/// - `sleep_millisecs` 0: no sleep, the next batch starts at once.
///
/// Positions are expectations (fractional ticks) once latency enters; with a latency of 0 every
/// batch starts exactly on a tick.
public struct KsmdClock: Sendable, Equatable {
    /// `CONFIG_HZ`.
    public let hz: Int
    /// Mean delay from a tick to ksmd running, nanoseconds.
    public let latencyNanoseconds: Double
    /// Share of a CPU ksmd gets while it has work.
    public let availability: Double
    /// Wall time at which the current (or next) batch starts, nanoseconds.
    public private(set) var batchStart: Double = 0
    /// ksmd's CPU time at that start, nanoseconds.
    public private(set) var batchStartCPU: Double = 0
    /// The tick (expected, fractional) whose timer woke the current batch; nil when the batch
    /// did not start on a timer (the first batch, after a sleep of 0, after a pause).
    private var wakeTick: Double?

    /// A clock at 0, ksmd about to run its first batch.
    public init(hz: Int, costs: KSMCostProfile) {
        self.hz = hz
        latencyNanoseconds = costs.wakeLatency
        availability = costs.cpuAvailability
    }

    /// Nanoseconds per tick.
    var tick: Double { 1e9 / Double(hz) }

    /// The wall time, nanoseconds, when ksmd's CPU time reaches `cpu` during the current batch.
    @inline(__always)
    public func wallNanoseconds(cpu: Double) -> Double { batchStart + (cpu - batchStartCPU) / availability }

    /// The batch that started at ``batchStart`` ended when ksmd's CPU time reached `cpu`; ksmd
    /// sleeps `jiffies` ticks (rounded as the timer wheel does) and wakes for the next batch.
    public mutating func sleep(cpu: Double, jiffies: Int) {
        let end = wallNanoseconds(cpu: cpu)
        batchStartCPU = cpu
        guard jiffies > 0 else {
            batchStart = end
            wakeTick = nil
            return
        }
        let armed: Double
        if let wakeTick {
            armed = wakeTick + Self.expectedFloor((end - batchStart) / tick, meanLatency: latencyNanoseconds / tick)
        } else {
            armed = (end / tick + 1e-9).rounded(.down)
        }
        let wake = Self.timerExpiry(armed: armed, timeout: jiffies)
        wakeTick = wake
        batchStart = max(end, wake * tick + latencyNanoseconds)
    }

    /// ksmd was stopped (`run` 0) and is started again at `wall` nanoseconds with `cpu` of CPU
    /// time used: the next batch starts then.
    public mutating func resume(atWall wall: Double, cpu: Double) {
        batchStart = max(wall, batchStart)
        batchStartCPU = cpu
        wakeTick = nil
    }

    /// Ticks a sleep of `jiffies` lasts when it begins just after a tick (ksmd woke on one and
    /// ran a short batch): `timerExpiry` from jiffy 0, so `jiffies + 1` below 63 jiffies, the
    /// wheel's coarser buckets above, and no sleep at all for 0.
    static func sleepTicks(jiffies: Int) -> Double {
        jiffies > 0 ? timerExpiry(armed: 0, timeout: jiffies) : 0
    }

    /// The tick on which a timer armed in jiffy `armed` with `timeout` jiffies fires:
    /// `calc_index()` rounds the expiry up to the next bucket of the wheel level the timeout
    /// falls in (levels of 64 buckets, each 8 times coarser: level 0 below 63 jiffies).
    static func timerExpiry(armed: Double, timeout: Int) -> Double {
        var level = 0
        var start = 63
        while timeout >= start && level < 8 {
            level += 1
            start = 63 << (3 * level)
        }
        let granularity = Double(1 << (3 * level))
        let expires = armed + Double(timeout)
        let whole = expires.rounded(.down)
        return ((whole / granularity).rounded(.down) + 1) * granularity + (expires - whole)
    }

    /// `E[floor(x + L)]` for `L` exponentially distributed with mean `meanLatency` (all in
    /// ticks): the jiffy, counted from the tick that woke ksmd, in which a batch of `x` ticks
    /// ends.
    static func expectedFloor(_ x: Double, meanLatency: Double) -> Double {
        let whole = x.rounded(.down)
        guard meanLatency > 1e-9 else { return whole }
        let gap = whole + 1 - x
        return whole + exp(-gap / meanLatency) / -expm1(-1 / meanLatency)
    }
}

extension KsmdClock {
    /// Re-times batches: given, per full scan, the CPU time of each batch (nanoseconds, the
    /// scan's last batch last), the wall time of each full scan in seconds, from the end of the
    /// previous one (the first from ksmd's start), with `tunables`' sleep and HZ and `costs`'
    /// latency and availability.
    public static func scanSeconds(batches: [[Double]], tunables: SimulatorTunables, costs: KSMCostProfile) -> [Double] {
        var clock = KsmdClock(hz: tunables.hz, costs: costs)
        var cpu = 0.0
        var previous = 0.0
        var seconds: [Double] = []
        for scan in batches {
            for (index, batch) in scan.enumerated() {
                cpu += batch
                if index == scan.count - 1 {
                    let end = clock.wallNanoseconds(cpu: cpu) / 1e9
                    seconds.append(end - previous)
                    previous = end
                }
                clock.sleep(cpu: cpu, jiffies: tunables.sleepJiffies)
            }
        }
        return seconds
    }
}
