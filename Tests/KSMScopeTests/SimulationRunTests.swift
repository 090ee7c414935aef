import Foundation
import Testing

@testable import KSMScope

@Suite("KSMSimulation: images, timelines, manifests and the report")
struct SimulationRunTests {
    let factory = PageFactory(pageSize: 4096)

    func page(_ key: UInt64) -> [UInt8] { factory.page(key) }

    @Test("static images: one sample per full scan, milestones, ksm_stat per image, summary")
    func staticImages() throws {
        let fixture = try ScanFixture([
            factory.image([page(1), page(1), page(2), page(0)]), factory.image([page(1), page(3), page(2)]),
        ])
        // One page a batch, so the saving is seen growing inside the 2nd full scan.
        let job = KSMSimulation(
            tunables: try SimulatorTunables(pagesToScan: 1, smartScan: false), length: .fullScans(5))
        let report = try job.run(guests: fixture.paths.map { SimulatedGuest(image: $0) })
        let scan = try fixture.scan()
        #expect(report.samples.map(\.fullScans) == [1, 2, 3, 4, 5])
        #expect(report.steps == nil)
        #expect(report.timeSamples == nil)
        #expect(report.summary.convergedSavedPages == 3)
        #expect(report.summary.convergedSavedPages == scan.pagesSharing + scan.ksmZeroPages)
        #expect(report.samples[0].pagesSharing == 0)
        #expect(report.samples[1].pagesSharing == 3)
        for milestone in report.summary.milestones {
            #expect(milestone.fullScans == 1, "the saving is made during the 2nd full scan")
            #expect((milestone.tSeconds ?? 0) > 0.14)
        }
        #expect(report.images.map(\.ksmMergingPages) == scan.images.map(\.ksmMergingPages))
        #expect(report.images.map(\.ksmProcessProfit) == scan.images.map(\.ksmProcessProfit))
        #expect(report.summary.finalGeneralProfit == scan.generalProfit)
        #expect(report.summary.ksmdCPUShare > 0 && report.summary.ksmdCPUShare < 0.01)
        #expect(report.summary.churn == nil)
        #expect(report.settings.guests == 2)
        #expect(report.settings.pages == 7)
        // 8 batches a full scan (7 pages, then the end of the scan), 24 ms apart: a 20 ms sleep
        // (5 jiffies at HZ 250) ends on the 6th tick.
        #expect(abs(report.samples[4].tSeconds - 39 * 0.024) < 0.001)
        #expect(report.samples[4].pagesScanned == 35)

        let csv = report.csv.split(separator: "\n")
        #expect(csv.count == 6)
        #expect(csv[0] == SimulationSample.columns.joined(separator: ","))
        #expect(report.text.contains("Summary"))
        #expect(report.text.contains("converged saving (first memory): 3 pages"))
    }

    @Test("a command-line timeline: snapshot 1 after 3 full scans, its write breaks a merge")
    func commandLineTimeline() throws {
        let fixture = try ScanFixture([
            factory.image([page(1), page(1), page(1), page(2)]), factory.image([page(1), page(5), page(1), page(2)]),
            factory.image([page(1)]),
        ])
        let timelines = CommandLineTimelines(
            specifications: ["g=\(fixture.paths[0]),\(fixture.paths[1])"], stepScans: 3)
        let guests = try [SimulatedGuest(image: fixture.paths[2])] + timelines.guests()
        let job = KSMSimulation(tunables: try SimulatorTunables(smartScan: false))
        let report = try job.run(guests: guests)
        #expect(report.samples.count == 6)
        let steps = try #require(report.steps)
        #expect(steps.map(\.step) == [0, 1])
        #expect(steps[1].startFullScans == 3)
        #expect(steps[1].pagesWritten == 1)
        #expect(steps[0].end.pagesSharing == 3)
        #expect(steps[0].end == report.samples[2])
        #expect(steps[1].end.pagesSharing == 2)
        #expect(steps[1].end.cowKSM == 1)
        let churn = try #require(report.summary.churn)
        #expect(churn.pagesWritten == 1)
        #expect(churn.cowBreaks == 1)
        #expect(churn.cowBreaksPerSecond > 0)
        #expect(churn.averageSavedPages > 2 && churn.averageSavedPages < 3)
        #expect(report.summary.finalMemoryConvergedSavedPages == 2)
        #expect(report.images[1].snapshots == [fixture.paths[0], fixture.paths[1]])
        #expect(report.images[1].name == "g")
        #expect(report.text.contains("Snapshots"))
    }

    @Test("a generated timeline.json: snapshots at their seconds, written pages break merges even unchanged")
    func manifest() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.t0.img", factory.image([page(1), page(1), page(2)]))
        try folder.write("a.t1.img", factory.image([page(1), page(1), page(7)]))
        try folder.write("b.t0.img", factory.image([page(1), page(2)]))
        try folder.write("b.t1.img", factory.image([page(1), page(2)]))
        let manifest = """
            {"format":"ksmscope-timeline/1","note":"","page_size":4096,"steps":1,"interval_seconds":0.5,
             "guests":[
              {"name":"a","type":"t","pages_per_second":4,"files":["a.t0.img","a.t1.img"],
               "steps":[{"step":1,"time_seconds":0.5,"writes":2,"fresh_writes":1,"zero_writes":0,"same_writes":1,
                         "written_pages":[1,2],"changed_pages":[2]}]},
              {"name":"b","type":"t","pages_per_second":0,"files":["b.t0.img","b.t1.img"],
               "steps":[{"step":1,"time_seconds":0.5,"writes":0,"fresh_writes":0,"zero_writes":0,"same_writes":0,
                         "written_pages":[],"changed_pages":[]}]}]}
            """
        try folder.write("timeline.json", Array(manifest.utf8))
        #expect(TimelineManifestSource.isManifest(folder.path))
        let guests = try GuestInputs(paths: [folder.path]).guests()
        #expect(guests.map(\.name) == ["a", "b"])
        #expect(guests[0].snapshots[1].trigger == .atSeconds(0.5))
        #expect(guests[0].snapshots[1].writtenPages == [1, 2])

        let job = KSMSimulation(tunables: try SimulatorTunables(smartScan: false), everySeconds: 0.25)
        let report = try job.run(guests: guests)
        let steps = try #require(report.steps)
        #expect(steps.count == 2)
        #expect(steps[1].startSeconds >= 0.5 && steps[1].startSeconds < 0.53)
        #expect(steps[1].pagesWritten == 2)  // page 1 (same bytes, a KSM page's mapping) and page 2
        #expect(report.summary.churn?.cowBreaks == 2)  // pages 1 and 2 were both merged
        #expect(report.summary.seconds >= 1.0)  // automatic: the last snapshot gets 0.5 s too
        #expect(report.timeSamples?.map(\.tSeconds) == [0.25, 0.5, 0.75, 1.0])
        // At the end: content 1 in 3 pages (2 saved), content 2 once... and b's page 2: 1 saved.
        #expect(report.samples.last?.pagesSharing == 2)

        #expect(
            throws: TimelineError.pageSizeMismatch(
                path: folder.path + "/timeline.json", manifest: 4096, simulation: 512)
        ) {
            try TimelineManifestSource(path: folder.path, pageSize: 512).guests()
        }
    }

    @Test("time samples with --every, and a run measured in seconds")
    func timeSamples() throws {
        let fixture = try ScanFixture([factory.image([page(1), page(1), page(2)])])
        let job = KSMSimulation(length: .seconds(1), everySeconds: 0.25)
        let report = try job.run(guests: [SimulatedGuest(image: fixture.paths[0])])
        #expect(report.timeSamples?.map(\.tSeconds) == [0.25, 0.5, 0.75, 1.0])
        #expect(report.summary.seconds >= 1)
        #expect(report.samples.count == report.summary.fullScans)
        #expect(report.settings.seconds == 1)
    }

    @Test("timelines must agree on when each snapshot takes effect")
    func inconsistentTimelines() throws {
        func guest(_ name: String, _ triggers: [SnapshotTrigger]) -> SimulatedGuest {
            SimulatedGuest(name: name, snapshots: triggers.map { .init(path: "/dev/null", trigger: $0) })
        }
        let job = KSMSimulation()
        #expect(throws: TimelineError.inconsistentSteps(step: 1)) {
            try job.run(guests: [guest("a", [.start, .afterFullScans(3)]), guest("b", [.start, .atSeconds(1)])])
        }
        #expect(throws: TimelineError.unorderedTriggers(guest: "a")) {
            try job.run(guests: [guest("a", [.start, .afterFullScans(3), .afterFullScans(2)])])
        }
        #expect(throws: SimulationError.noGuests) { try job.run(guests: []) }
        #expect(throws: TimelineError.malformed("nofiles")) { try CommandLineTimelines.parse("nofiles") }
        #expect(throws: TimelineError.malformed("a=x,,y")) { try CommandLineTimelines.parse("a=x,,y") }
        #expect(throws: TimelineError.duplicateName("a")) {
            try CommandLineTimelines(specifications: ["a=x,z", "a=y,z"], stepScans: 1).guests()
        }
        #expect(throws: TimelineError.singleSnapshot("a=x")) { try CommandLineTimelines.parse("a=x") }
    }

    @Test("the converged saving: per content, per NUMA node without merge_across_nodes, zero pages whole")
    func convergedSaving() throws {
        let map = tinyMap([[0, 0, 1, 1, 1], [0, 1, 2]], zero: 0)
        let merged = try SimulatorTunables()
        #expect(ConvergenceSummary.convergedSavedPages(contents: map, images: [0, 1], tunables: merged) == 2 + 3)
        let zero = try SimulatorTunables(useZeroPages: true)
        #expect(ConvergenceSummary.convergedSavedPages(contents: map, images: [0, 1], tunables: zero) == 3 + 3)
        let perNode = try SimulatorTunables(mergeAcrossNodes: false)
        #expect(ConvergenceSummary.convergedSavedPages(contents: map, images: [0, 1], tunables: perNode) == 1 + 2)
    }
}
