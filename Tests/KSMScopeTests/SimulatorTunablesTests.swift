import Foundation
import Testing

@testable import KSMScope

@Suite("Simulator tunables, kernel versions, the advisor and the cost profile")
struct SimulatorTunablesTests {
    @Test("the kernel's defaults")
    func defaults() throws {
        let tunables = SimulatorTunables.defaults
        #expect(tunables.pagesToScan == 100)
        #expect(tunables.sleepMillisecs == 20)
        #expect(tunables.maxPageSharing == 256)
        #expect(!tunables.useZeroPages)
        #expect(tunables.smartScan)
        #expect(tunables.mergeAcrossNodes)
        #expect(tunables.advisorMode == .none)
        #expect(tunables.advisorTargetScanTime == 200)
        #expect(tunables.advisorMaxCPU == 70)
        #expect(tunables.advisorMinPagesToScan == 500)
        #expect(tunables.advisorMaxPagesToScan == 30000)
        #expect(tunables.stableNodeChainsPruneMillisecs == 2000)
        #expect(tunables.hz == 250)
        #expect(tunables.sleepJiffies == 5)
        // With the advisor on, pages_to_scan starts at advisor_min_pages_to_scan.
        #expect(try SimulatorTunables(advisorMode: .scanTime).pagesToScan == 500)
    }

    @Test("values the kernel refuses are refused with its limits")
    func kernelLimits() {
        #expect(throws: KSMTunablesError.pagesToScanWithAdvisor) {
            try SimulatorTunables(pagesToScan: 100, advisorMode: .scanTime)
        }
        #expect(throws: KSMTunablesError.belowMinimum(knob: "max_page_sharing", value: 1, minimum: 2)) {
            try SimulatorTunables(maxPageSharing: 1)
        }
        #expect(throws: KSMTunablesError.belowMinimum(knob: "advisor_target_scan_time", value: 0, minimum: 1)) {
            try SimulatorTunables(advisorTargetScanTime: 0)
        }
        #expect(throws: KSMTunablesError.belowMinimum(knob: "sleep_millisecs", value: -1, minimum: 0)) {
            try SimulatorTunables(sleepMillisecs: -1)
        }
        #expect(
            throws: KSMTunablesError.aboveMaximum(knob: "pages_to_scan", value: 1 << 32, maximum: Int(UInt32.max))
        ) {
            try SimulatorTunables(pagesToScan: 1 << 32)
        }
        #expect(throws: KSMTunablesError.neverScans(knob: "pages_to_scan")) {
            try SimulatorTunables(pagesToScan: 0)
        }
        #expect(throws: KSMTunablesError.unsupportedHZ(200)) { try SimulatorTunables(hz: 200) }
        let message = KSMTunablesError.pagesToScanWithAdvisor.description
        #expect(message.contains("EINVAL"))
        #expect(
            KSMTunablesError.belowMinimum(knob: "max_page_sharing", value: 1, minimum: 2).description
                == "max_page_sharing 1 is below the kernel's minimum of 2 (EINVAL)")
    }

    @Test(
        "msecs_to_jiffies rounds up", arguments: [(20, 250, 5), (10, 250, 3), (1, 100, 1), (0, 1000, 0), (20, 300, 6)])
    func jiffies(milliseconds: Int, hz: Int, expected: Int) {
        #expect(SimulatorTunables.jiffies(milliseconds: milliseconds, hz: hz) == expected)
    }

    @Test("kernel releases map to the 6.10 or 6.11 order")
    func kernelReleases() {
        #expect(KernelVersion(release: "6.11.0") == .v6_11)
        #expect(KernelVersion(release: "6.18.44-fc-v657") == .v6_11)
        #expect(KernelVersion(release: "7.0.1") == .v6_11)
        #expect(KernelVersion(release: "6.10.14-arch1-1") == .v6_10)
        #expect(KernelVersion(release: "5.15.0-91-generic") == .v6_10)
        #expect(KernelVersion(release: "linux") == nil)
        #expect(KernelVersion(release: "") == nil)
        #expect(KernelVersion.allCases.contains(KernelVersion.running))
    }

    @Test("the advisor's worked examples: 500 pages, 400 s with 20 s CPU, then 220 s with 22 s: 1000 both times")
    func advisorWorkedExamples() throws {
        let tunables = try SimulatorTunables(advisorMode: .scanTime)
        var advisor = ScanTimeAdvisor()
        let second: UInt64 = 1_000_000_000
        advisor.startScan(nowNanoseconds: 0)
        let first = advisor.stopScan(
            nowNanoseconds: 400 * second, cpuTimeNanoseconds: 20 * second, pagesToScan: 500, tunables: tunables)
        #expect(first == 1000)
        #expect(advisor.change == 30)
        #expect(advisor.scanTime == 400)
        advisor.startScan(nowNanoseconds: 400 * second)
        let next = advisor.stopScan(
            nowNanoseconds: 620 * second, cpuTimeNanoseconds: 42 * second, pagesToScan: first, tunables: tunables)
        #expect(next == 1000)
        #expect(advisor.change == 37)
    }

    @Test("the advisor's clamps: the CPU ceiling and advisor_max_pages_to_scan")
    func advisorClamps() throws {
        let tunables = try SimulatorTunables(advisorMode: .scanTime, advisorMaxPagesToScan: 5000)
        var advisor = ScanTimeAdvisor()
        let second: UInt64 = 1_000_000_000
        // A scan far slower than the target at 1 % CPU: pages would grow 10x, capped at 5000.
        advisor.startScan(nowNanoseconds: 0)
        #expect(
            advisor.stopScan(
                nowNanoseconds: 2000 * second, cpuTimeNanoseconds: 0, pagesToScan: 1000, tunables: tunables) == 5000)
        // The same slow scan at 90 % CPU: 3000 pages wanted, but per_page_cost is 1000/90 = 11,
        // so at most 11 × 70 = 770.
        var busy = ScanTimeAdvisor()
        busy.startScan(nowNanoseconds: 0)
        #expect(
            busy.stopScan(
                nowNanoseconds: 2000 * second, cpuTimeNanoseconds: 1800 * second, pagesToScan: 1000, tunables: tunables)
                == 770)
        // A fast scan (100 s for a 200 s target) halves pages_to_scan, times the first EWMA (30 %).
        var fast = ScanTimeAdvisor()
        fast.startScan(nowNanoseconds: 0)
        #expect(
            fast.stopScan(
                nowNanoseconds: 100 * second, cpuTimeNanoseconds: 90 * second, pagesToScan: 1000, tunables: tunables)
                == 150)
    }

    @Test("the simulator runs the advisor after every full scan with its own clock and CPU time")
    func advisorInSimulator() throws {
        let tunables = try SimulatorTunables(smartScan: false, advisorMode: .scanTime, advisorTargetScanTime: 1)
        var simulator = KSMSimulator(contents: tinyMap([Array(0..<3000).map { UInt32($0 % 1500) }]), tunables: tunables)
        #expect(simulator.pagesToScan == 500)
        simulator.runFullScans(1)
        let sample = simulator.sample
        var advisor = ScanTimeAdvisor()
        advisor.startScan(nowNanoseconds: 0)
        let expected = advisor.stopScan(
            nowNanoseconds: UInt64(sample.tSeconds * 1e9), cpuTimeNanoseconds: UInt64(sample.ksmdCPUSeconds * 1e9),
            pagesToScan: 500, tunables: tunables)
        #expect(UInt64(simulator.pagesToScan) == expected)
        #expect(simulator.pagesToScan != 500)
    }

    @Test("a cost profile reads from JSON, keeping built-in values for keys left out")
    func costProfileJSON() throws {
        let profile = try KSMCostProfile.decode(json: Data(#"{"checksum_ns": 1400, "merge_ns": 5000.5}"#.utf8))
        #expect(profile.checksum == 1400)
        #expect(profile.merge == 5000.5)
        #expect(profile.pageWalk == KSMCostProfile.default.pageWalk)
        #expect(throws: KSMCostProfileError.unknownKey("checksum")) {
            try KSMCostProfile.decode(json: Data(#"{"checksum": 1}"#.utf8))
        }
        #expect(throws: KSMCostProfileError.invalidCost(key: "merge_ns")) {
            try KSMCostProfile.decode(json: Data(#"{"merge_ns": -1}"#.utf8))
        }
        #expect(throws: KSMCostProfileError.notAnObject) { try KSMCostProfile.decode(json: Data("[1]".utf8)) }
        // What the report's settings.costs holds reads back the same.
        let encoded = try JSONEncoder().encode(KSMCostProfile.default)
        #expect(try KSMCostProfile.decode(json: encoded) == KSMCostProfile.default)
    }
}
