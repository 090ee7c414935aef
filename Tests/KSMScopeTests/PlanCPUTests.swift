import Foundation
import Testing

@testable import KSMScope

/// The plan's CPU section: `tune`'s sweep priced with a profile, its recommendation and front,
/// in JSON, text and the report; absent, and said so, without a profile.
@Suite("Plan CPU section")
struct PlanCPUTests {
    static func plan(pricing: KsmdProfile?) throws -> (CapacityPlan, ScanFixture) {
        let fixture = try CapacityPlanningTests.fleet(seed: 11)
        let map = try CapacityPlanningTests.contents(fixture)
        let job = CapacityPlanning(
            host: try HostSpec(hostMemory: 64 << 20, reserved: 8 << 20, guestOverhead: 1 << 20),
            simulation: .init(profile: pricing ?? .builtIn, configuration: .init(threads: 2)), pricing: pricing)
        return (try job.run(contents: map, guests: fixture.paths.map { SimulatedGuest(image: $0) }), fixture)
    }

    @Test("priced: the recommended setting, the front, and what it buys")
    func priced() throws {
        let (plan, fixture) = try Self.plan(pricing: .builtIn)
        let cpu = try #require(plan.cpu)
        let recommended = try #require(cpu.recommended)
        #expect(cpu.profile == KsmdProfile.builtIn.summary)
        #expect(cpu.savedBytes == (try fixture.scan()).savedBytes)
        #expect(cpu.plannedSavedBytes == plan.unmergeRiskBytes)
        #expect(!cpu.front.isEmpty && cpu.front.allSatisfy(\.pareto))
        #expect(cpu.front.allSatisfy { cpu.settings.contains($0) })
        // Along the front, converging faster costs more CPU.
        for (faster, slower) in zip(cpu.front, cpu.front.dropFirst()) {
            #expect(faster.convergeSeconds <= slower.convergeSeconds)
            #expect(faster.cpuPercent >= slower.cpuPercent)
        }
        // Within the default budget (10 % of one CPU) when any setting is.
        if cpu.settings.contains(where: { $0.cpuPercent <= TuneGoal.defaultBudgetPercent }) {
            #expect(recommended.meetsBudget && recommended.cpuPercent <= TuneGoal.defaultBudgetPercent)
        }
        #expect(recommended.commands.sysfs.contains("echo \(recommended.pagesToScan) > /sys/kernel/mm/ksm/pages_to_scan"))
        let perGiB = try #require(cpu.cpuPercentPerGiBSaved)
        #expect(abs(perGiB - recommended.cpuPercent * Double(1 << 30) / Double(cpu.savedBytes)) < 1e-9)
        #expect(cpu.frontSummary.count <= KsmdCost.summaryRows)
        let json = try ReportJSON.encode(plan)
        #expect(json.contains("\"cpu\"") && json.contains("\"cpu_percent_per_gib_saved\""))
        #expect(plan.text.contains("recommended: pages_to_scan \(recommended.pagesToScan)"))
        let outline = try PlanReportHTMLTests.outline(plan.html)
        #expect(outline.sections.contains("cpu-front"))
        #expect(outline.sections.firstIndex(of: "cpu-front") == outline.sections.firstIndex(of: "convergence")! + 1)
        #expect(outline.charts.count == 8)
        #expect(!plan.notes.contains { $0.contains("--profile") })
    }

    @Test("unpriced: no cpu section, and a note saying how to get one")
    func unpriced() throws {
        let (plan, _) = try Self.plan(pricing: nil)
        #expect(plan.cpu == nil)
        #expect(plan.notes.contains { $0.contains("--profile") })
        #expect(!(try ReportJSON.encode(plan)).contains("\"cpu\""))
        #expect(!(try PlanReportHTMLTests.outline(plan.html)).sections.contains("cpu-front"))
    }

    @Test("ksmscope plan --profile: the JSON's cpu; a profile that cannot be read is one line", .executable)
    func command() throws {
        let folder = try TemporaryFolder()
        let factory = PageFactory(pageSize: 4096)
        let image = try folder.write("a.img", factory.image([factory.page(1), factory.page(1), factory.page(2), factory.page(0)]))
        let profile = try folder.write("profile.json", Array(try KsmdProfile.builtIn.encoded().utf8))
        let base = ["plan", "--quiet", "--host-memory", "100K", "--reserved", "20K", "--guest-overhead", "4K"]
        let outcome = try CommandRunner.run(base + ["--profile", profile, "--format", "json", image])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let cpu = try #require(object["cpu"] as? [String: Any])
        #expect((cpu["recommended"] as? [String: Any])?["pages_to_scan"] is Int)
        let broken = try folder.write("broken.json", Array("{".utf8))
        let failure = try CommandRunner.run(base + ["--profile", broken, image])
        #expect(failure.status != 0)
        #expect(failure.stderr.hasPrefix("ksmscope: ") && failure.stderr.contains("broken.json"))
        #expect(failure.stderr.split(separator: "\n").count == 1, "\(failure.stderr)")
    }
}
