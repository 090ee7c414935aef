import Foundation
import Testing

@testable import KSMScope

/// ksmd's clock: the timer wheel's rounding, the expected tick a batch ends in, availability.
@Suite("ksmd's clock")
struct KsmdClockTests {
    /// A cost profile charging nothing but what the test sets.
    static func costs(latency: Double = 0, availability: Double = 1) -> KSMCostProfile {
        var costs = KSMCostProfile.default
        costs.wakeLatency = latency
        costs.cpuAvailability = availability
        return costs
    }

    /// Seconds from one batch's start to the next's, for batches of `cpu` nanoseconds, in the
    /// steady state.
    static func cycle(sleep: Int, hz: Int = 250, cpu: Double, costs: KSMCostProfile = costs()) -> Double {
        var clock = KsmdClock(hz: hz, costs: costs)
        var used = 0.0
        var starts: [Double] = []
        for _ in 0..<20 {
            starts.append(clock.batchStart)
            used += cpu
            clock.sleep(cpu: used, jiffies: SimulatorTunables.jiffies(milliseconds: sleep, hz: hz))
        }
        return (starts[19] - starts[9]) / 10 / 1e9
    }

    @Test(
        "a sleep of N jiffies after a short batch lasts N + 1 ticks, as measured on this kernel (20 ms: 24 ms at HZ 250)",
        arguments: [(1, 250, 0.008), (10, 250, 0.016), (20, 250, 0.024), (50, 250, 0.056), (20, 1000, 0.021), (20, 100, 0.030)])
    func shortBatches(sleep: Int, hz: Int, seconds: Double) {
        #expect(abs(Self.cycle(sleep: sleep, hz: hz, cpu: 100_000) - seconds) < 1e-9)
    }

    @Test("a batch that spans ticks delays the sleep's start by the ticks it spans")
    func longBatch() {
        // 5 ms of CPU at HZ 250 ends in jiffy 1; 3 jiffies later plus the wheel's tick: tick 5.
        #expect(abs(Self.cycle(sleep: 10, cpu: 5_000_000) - 0.020) < 1e-9)
        // Half a CPU: the batch lasts 10 ms, ends in jiffy 2, next start on tick 6.
        #expect(abs(Self.cycle(sleep: 10, cpu: 5_000_000, costs: Self.costs(availability: 0.5)) - 0.024) < 1e-9)
    }

    @Test("sleep_millisecs 0: the next batch starts when the last one ends")
    func noSleep() {
        #expect(abs(Self.cycle(sleep: 0, cpu: 1_000_000) - 0.001) < 1e-12)
    }

    @Test("timeouts past the wheel's first level land on coarser buckets")
    func wheelLevels() {
        // Level 0 (under 63 jiffies): one more tick.
        #expect(KsmdClock.timerExpiry(armed: 10, timeout: 62) == 73)
        // Level 1 (63 … 503 jiffies): the next multiple of 8 after the expiry.
        #expect(KsmdClock.timerExpiry(armed: 0, timeout: 100) == 104)
        #expect(KsmdClock.timerExpiry(armed: 4, timeout: 100) == 112)
        // Level 2 (504 … 4031): multiples of 64.
        #expect(KsmdClock.timerExpiry(armed: 0, timeout: 1000) == 1024)
    }

    @Test("the expected jiffy a batch ends in, against sampling the exponential latency")
    func expectedFloor() {
        var generator = SplitMix64(seed: 7)
        for (x, mean) in [(0.2, 0.1), (0.9, 0.3), (2.5, 1.0), (0.0, 2.0), (3.7, 0.05)] {
            var total = 0.0
            let samples = 200_000
            for _ in 0..<samples {
                let latency = -mean * log(1 - generator.unit())
                total += (x + latency).rounded(.down)
            }
            #expect(abs(KsmdClock.expectedFloor(x, meanLatency: mean) - total / Double(samples)) < 0.01, "x \(x) mean \(mean)")
        }
        #expect(KsmdClock.expectedFloor(2.7, meanLatency: 0) == 2)
        // Never below the latency-free value, and growing with the batch.
        var previous = 0.0
        for step in 0..<100 {
            let value = KsmdClock.expectedFloor(Double(step) * 0.05, meanLatency: 0.2)
            #expect(value >= (Double(step) * 0.05).rounded(.down))
            #expect(value >= previous)
            previous = value
        }
    }

    @Test("latency shifts every batch's start and, on average, spills batches into the next tick")
    func latency() {
        let quick = Self.cycle(sleep: 20, cpu: 100_000, costs: Self.costs(latency: 50_000))
        let slow = Self.cycle(sleep: 20, cpu: 100_000, costs: Self.costs(latency: 2_000_000))
        #expect(quick > 0.024 - 1e-9 && quick < 0.0241)
        #expect(slow > 0.0245 && slow < 0.028)
    }
}
