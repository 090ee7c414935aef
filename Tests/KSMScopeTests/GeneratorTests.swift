import Foundation
import Testing

@testable import KSMScope

/// A temporary folder for generated sets, removed when the test ends.
final class GeneratorScratch {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ksmscope-gen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// A spec using every feature, a few MiB in all: two Linux versions and a Windows OS, shared
/// libraries, ASLR in both styles with shared and per-guest layouts, duplicated anonymous and
/// stale pages, interleaving on and off, and churn of all three kinds.
func featureSpec(count: Int = 5) throws -> FleetSpec {
    var object = sampleSpecObject()
    object["os"] = [
        ["name": "deb12", "family": "linux", "kernel_text_mib": 1, "kernel_data_mib": 0.5, "page_cache_mib": 1.5],
        [
            "name": "deb11", "family": "linux", "kernel_text_mib": 1, "kernel_data_mib": 0.5, "page_cache_mib": 1,
            "family_shared": 0.3,
        ],
        [
            "name": "win11", "family": "windows", "kernel_text_mib": 1.5, "kernel_data_mib": 0.5, "page_cache_mib": 1,
            "global_shared": 0.02,
        ],
    ]
    object["libraries"] = [["name": "libc", "mib": 0.5], ["name": "nginx", "mib": 0.25]]
    object["fleet"] = [
        [
            "name": "web", "count": count, "memory_mib": 6, "os": "deb12", "libraries": ["libc", "nginx"],
            "aslr": ["fraction": 0.2, "layouts": 2],
            "churn": ["pages_per_second": 8, "write_mix": ["fresh": 0.5, "zero": 0.3, "same": 0.2]],
        ],
        [
            "name": "db", "count": 2, "memory_mib": 5, "os": "deb11", "libraries": ["libc"], "stale_repeat": 0.3,
            "interleave": false, "aslr": ["fraction": 0.5, "style": "offset"],
            "churn": ["pages_per_second": 20, "hot_fraction": 0.01],
        ],
        ["name": "desk", "count": 1, "memory_mib": 8, "os": "win11", "zero_fraction": 0.4, "self_sharing": 0.2],
    ]
    return try parseSpec(object)
}

/// Generates `spec` into a new folder inside `folder`.
@discardableResult
func generate(
    _ spec: FleetSpec, seed: UInt64 = 7, steps: Int = 0, into folder: GeneratorScratch, name: String = "set",
    chunkPages: Int = 64
) throws -> (path: String, plan: FleetPlan, summary: FleetImageWriter.Summary) {
    let plan = try FleetPlan(spec: spec, seed: seed)
    let timeline = steps > 0 ? ChurnTimeline(plan: plan, steps: steps, interval: 5) : .none(plan: plan)
    let out = folder.file(name)
    let summary = try FleetImageWriter(threads: 2, chunkPages: chunkPages).write(
        plan: plan, timeline: timeline, to: out)
    return (out, plan, summary)
}

func readExpected(_ folder: String) throws -> ExpectedFleet {
    try JSONDecoder().decode(
        ExpectedFleet.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))
}

func imageFiles(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".img") }.sorted()
}

/// Compares a scan report with the expectation, field by field.
func expectMatch(_ report: ScanReport, _ expected: ExpectedCounts, pageSize: Int = 4096) {
    #expect(report.pages == expected.pages)
    #expect(report.zeroPages == expected.zeroPages)
    #expect(report.distinctContents == expected.distinctContents)
    #expect(report.pagesShared == expected.pagesShared)
    #expect(report.pagesSharing == expected.pagesSharing)
    #expect(report.pagesUnmerged == expected.pagesUnmerged)
    #expect(report.ksmZeroPages == expected.ksmZeroPages)
    #expect(report.stableNodeChains == expected.stableNodeChains)
    #expect(report.stableNodeDups == expected.stableNodeDups)
    #expect(report.rmapItems == expected.rmapItems)
    #expect(report.policies.intraImage == expected.intraImageSavedPages * pageSize)
    #expect(report.policies.zeroOnly == expected.zeroOnlySavedPages * pageSize)
    #expect(report.images.count == expected.images.count)
    for (scanned, intended) in zip(report.images, expected.images) {
        #expect(scanned.path.hasSuffix("/" + intended.path))
        #expect(scanned.pages == intended.pages)
        #expect(scanned.zeroPages == intended.zeroPages)
        #expect(scanned.uniquePages == intended.uniquePages)
        #expect(scanned.selfSharedPages == intended.selfSharedPages)
        #expect(scanned.crossSharedPages == intended.crossSharedPages)
        #expect(scanned.ksmRmapItems == intended.ksmRmapItems)
        #expect(scanned.ksmMergingPages == intended.ksmMergingPages)
        #expect(scanned.ksmZeroPages == intended.ksmZeroPages)
    }
}

@Suite("Generator")
struct GeneratorTests {
    @Test("the same seed gives the same bytes, another seed other bytes")
    func determinism() throws {
        let folder = try GeneratorScratch()
        let spec = try featureSpec()
        let first = try generate(spec, seed: 11, steps: 1, into: folder, name: "a", chunkPages: 64)
        // Other chunking and thread count must not matter.
        let plan = try FleetPlan(spec: spec, seed: 11)
        _ = try FleetImageWriter(threads: 1, chunkPages: 7).write(
            plan: plan, timeline: ChurnTimeline(plan: plan, steps: 1, interval: 5), to: folder.file("b"))
        let other = try generate(spec, seed: 12, steps: 1, into: folder, name: "c")
        let names = try FileManager.default.contentsOfDirectory(atPath: first.path).sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: folder.file("b")).sorted()))
        #expect(names.filter { $0.hasSuffix(".img") }.count == 8 * 2)
        for name in names {
            let a = try Data(contentsOf: URL(fileURLWithPath: first.path + "/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: folder.file("b") + "/" + name))
            #expect(a == b, "\(name) differs between runs of one seed")
            if name.hasSuffix(".img") {
                let c = try Data(contentsOf: URL(fileURLWithPath: other.path + "/" + name))
                #expect(a.count == c.count)
                #expect(a != c, "\(name) is the same under another seed")
            }
        }
    }

    @Test("a fixed page's bytes never change (golden value)")
    func golden() throws {
        let filler = PageFiller(pageSize: 4096, seed: 1)
        let page = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 8)
        defer { page.deallocate() }
        filler.fill(page, with: .plain(ContentKey(pool: 3, index: 5)))
        let bytes = UnsafeRawBufferPointer(start: page, count: 4096)
        #expect(page.load(as: UInt64.self) == ContentKey(pool: 3, index: 5).rawValue.littleEndian)
        #expect(bytes.reduce(UInt64(0)) { ($0 &* 31) &+ UInt64($1) } == 0x7d90_256b_633e_f1f4)
    }

    @Test("scan finds exactly what expected.json says, for every snapshot")
    func scanMatchesExpected() throws {
        let folder = try GeneratorScratch()
        let (out, _, _) = try generate(try featureSpec(), steps: 2, into: folder)
        let expected = try readExpected(out)
        #expect(expected.sets.count == 3)
        for set in expected.sets {
            let report = try SteadyStateScan().run(paths: set.images.map { out + "/" + $0.path })
            expectMatch(report, set)
        }
        // The counters are computed for the tunables asked for, chains included.
        let plan = try FleetPlan(spec: try featureSpec(), seed: 7)
        let timeline = ChurnTimeline(plan: plan, steps: 2, interval: 5)
        for tunables in [try KSMTunables(maxPageSharing: 3), try KSMTunables(maxPageSharing: 2, useZeroPages: true)] {
            let intended = ExpectedCounts(plan: plan, timeline: timeline, step: 1, tunables: tunables)
            #expect(intended.stableNodeChains > 0)
            let report = try SteadyStateScan(tunables: tunables).run(paths: intended.images.map { out + "/" + $0.path })
            expectMatch(report, intended)
        }
    }

    @Test(
        "expected.json equals the brute-force reference on the images' bytes (independent of the scanner's rules)",
        arguments: [(256, false), (3, false), (2, true)])
    func expectedMatchesBruteForce(maxPageSharing: Int, useZeroPages: Bool) throws {
        let folder = try GeneratorScratch()
        let plan = try FleetPlan(spec: try featureSpec(count: 3), seed: 11)
        let timeline = ChurnTimeline(plan: plan, steps: 1, interval: 5)
        let out = folder.file("set")
        let tunables = try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        _ = try FleetImageWriter(threads: 2).write(plan: plan, timeline: timeline, to: out, tunables: tunables)
        let expected = try readExpected(out)
        for set in expected.sets {
            let images = try set.images.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0.path))) }
            let reference = BruteForceKSM(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: 4096)
                .run(images)
            #expect(set.pages == reference.pages)
            #expect(set.zeroPages == reference.zeroPages)
            #expect(set.distinctContents == reference.distinct)
            #expect(set.pagesShared == reference.shared)
            #expect(set.pagesSharing == reference.sharing)
            #expect(set.pagesUnmerged == reference.unmerged)
            #expect(set.ksmZeroPages == reference.ksmZero)
            #expect(set.stableNodeChains == reference.chains)
            #expect(set.stableNodeDups == reference.dups)
            #expect(set.rmapItems == reference.rmapItems)
            #expect(set.intraImageSavedPages == reference.intraImageSaved)
            #expect(set.zeroOnlySavedPages == reference.zeroOnlySaved)
            for (intended, brute) in zip(set.images, reference.images) {
                #expect(intended.pages == brute.pages)
                #expect(intended.zeroPages == brute.zero)
                #expect(intended.uniquePages == brute.unique)
                #expect(intended.selfSharedPages == brute.selfShared)
                #expect(intended.crossSharedPages == brute.crossShared)
                #expect(intended.ksmRmapItems == brute.rmapItems)
                #expect(intended.ksmMergingPages == brute.merging)
                #expect(intended.ksmZeroPages == brute.ksmZero)
            }
        }
    }

    @Test("scan of a plain set (no timeline) in its folder order matches")
    func plainSet() throws {
        let folder = try GeneratorScratch()
        let (out, plan, summary) = try generate(try featureSpec(count: 3), into: folder)
        let files = try imageFiles(out)
        #expect(files == summary.expected.sets[0].images.map(\.path))
        #expect(files.count == plan.guests.count)
        let report = try SteadyStateScan().run(paths: files.map { out + "/" + $0 })
        expectMatch(report, summary.expected.sets[0])
        #expect(try readExpected(out) == summary.expected)
    }

    @Test("sizes, names and category counts follow the spec")
    func sizes() throws {
        let folder = try GeneratorScratch()
        let spec = try featureSpec()
        let (out, plan, summary) = try generate(spec, into: folder)
        let set = summary.expected.sets[0]
        let mib = 256  // pages a MiB
        #expect(try imageFiles(out) == ["db-1.img", "db-2.img", "desk-1.img"] + (1...5).map { "web-\($0).img" })
        for image in set.images {
            let type = spec.fleet.first { $0.name == image.type }!
            let os = spec.operatingSystems.first { $0.name == type.os }!
            let pages = Int(type.memoryMiB * Double(mib))
            let size = try FileManager.default.attributesOfItem(atPath: out + "/" + image.path)[.size] as! Int
            #expect(size == pages * 4096)
            #expect(image.pages == pages)
            #expect(image.categories["kernel_text"] == Int(os.kernelTextMiB * Double(mib)))
            #expect(image.categories["kernel_data"] == Int(os.kernelDataMiB * Double(mib)))
            #expect(image.categories["page_cache"] == Int(os.pageCacheMiB * Double(mib)))
            let libraries = type.libraries.map { name in spec.libraries.first { $0.name == name }!.mib }.reduce(0, +)
            #expect(image.categories["libraries", default: 0] == Int(libraries * Double(mib)))
            #expect(image.zeroPages == Int((Double(pages) * type.zeroFraction).rounded()))
            #expect(image.categories["zero"] == image.zeroPages)
            let stale = image.categories["stale", default: 0] + image.categories["stale_duplicated", default: 0]
            #expect(stale == Int((Double(pages) * type.staleFraction).rounded()))
            #expect(image.categories.values.reduce(0, +) == pages)
        }
        // Same-version guests share their common kernel text; other families share none of it.
        let text = set.sharedContents.filter { $0.source == "os/deb12/kernel_text" }
        #expect(text.map(\.copies) == [5] && text.map(\.images) == [5])
        #expect(!set.sharedContents.contains { $0.source.hasPrefix("family/windows") })
        // Two ASLR layouts for five web guests: 3 and 2 copies of each relocated page.
        let relocated = set.sharedContents.filter { $0.source.hasPrefix("library/libc@web#") }.map(\.copies).sorted()
        #expect(relocated == [2, 3])
        // Per-guest layouts (db) leave relocated pages unique.
        #expect(!set.sharedContents.contains { $0.source.contains("@guest/db") })
        #expect(plan.guests.count == 8)
        // Every copy count adds up to the pages.
        #expect(set.copies.reduce(0) { $0 + $1.copies * $1.contents } == set.pages)
        #expect(set.copies.reduce(0) { $0 + $1.contents } == set.distinctContents)
    }

    @Test("churn snapshots change exactly the pages the manifest names")
    func churn() throws {
        let folder = try GeneratorScratch()
        let steps = 3
        let (out, plan, _) = try generate(try featureSpec(count: 2), steps: steps, into: folder)
        let manifest = try JSONDecoder().decode(
            TimelineManifest.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/timeline.json")))
        #expect(manifest.steps == steps && manifest.guests.count == plan.guests.count)
        var sawSameWrite = false
        var sawZeroWrite = false
        for guest in manifest.guests {
            #expect(guest.files == (0...steps).map { "\(guest.name).t\($0).img" })
            var previous = try Data(contentsOf: URL(fileURLWithPath: out + "/" + guest.files[0]))
            for step in guest.steps {
                let current = try Data(contentsOf: URL(fileURLWithPath: out + "/" + guest.files[step.step]))
                #expect(current.count == previous.count)
                var differing: [Int] = []
                for page in 0..<(current.count / 4096) {
                    let range = (page * 4096)..<((page + 1) * 4096)
                    if current[range] != previous[range] { differing.append(page) }
                }
                #expect(differing == step.changedPages, "\(guest.name) step \(step.step)")
                #expect(Set(step.changedPages).isSubset(of: Set(step.writtenPages)))
                #expect(step.writes == step.freshWrites + step.zeroWrites + step.sameWrites)
                #expect(step.writes == Int((guest.pagesPerSecond * 5).rounded()))
                #expect(step.timeSeconds == Double(step.step) * 5)
                sawSameWrite = sawSameWrite || step.sameWrites > 0
                sawZeroWrite = sawZeroWrite || step.zeroWrites > 0
                previous = current
            }
            if guest.pagesPerSecond == 0 { #expect(guest.steps.allSatisfy { $0.writtenPages.isEmpty }) }
        }
        #expect(sawSameWrite && sawZeroWrite)
        // Code is read-only: no write lands in kernel text or libraries.
        for (index, guest) in plan.guests.enumerated() {
            for step in manifest.guests[index].steps {
                for page in step.writtenPages { #expect(guest.category(physical: page).isWritable) }
            }
        }
    }

    @Test("ASLR variants are near-identical to their originals")
    func variants() throws {
        let filler = PageFiller(pageSize: 4096, seed: 3)
        let base = ContentKey(pool: 2, index: 9)
        func bytes(_ content: PageContent) -> [UInt8] {
            var page = [UInt8](repeating: 0, count: 4096)
            page.withUnsafeMutableBytes { filler.fill($0.baseAddress!, with: content) }
            return page
        }
        let original = bytes(.plain(base))
        let relocated = bytes(.variant(ContentKey(pool: 4, index: 9), of: base, layout: 77, style: .pointers))
        let differing = zip(original, relocated).filter { $0 != $1 }.count
        #expect(differing > 8 && differing <= 8 * (PageFiller.relocatedWords + 1))
        let shifted = bytes(.variant(ContentKey(pool: 5, index: 9), of: base, layout: 77, style: .offset))
        #expect(shifted != original)
        #expect(Set(shifted[8...].chunks(8)) == Set(original[8...].chunks(8)))
    }

    @Test("page permutations are bijections both ways", arguments: [1, 2, 15, 16, 17, 1000, 4097])
    func permutation(count: Int) {
        let permutation = PagePermutation(count: count, key: 42)
        let images = (0..<count).map(permutation.forward)
        #expect(Set(images).count == count && images.allSatisfy { $0 >= 0 && $0 < count })
        #expect((0..<count).allSatisfy { permutation.inverse(permutation.forward($0)) == $0 })
    }

    @Test("a fleet that does not fit the disk is refused and leaves nothing")
    func tooBig() throws {
        let folder = try GeneratorScratch()
        var spec = try featureSpec()
        spec.fleet[0].count = 1000
        spec.fleet[0].memoryMiB = 1_048_576  // 1000 guests of 1 TiB
        let plan = try FleetPlan(spec: spec, seed: 1)
        #expect(throws: GenerationError.self) {
            try FleetImageWriter().write(plan: plan, timeline: .none(plan: plan), to: folder.file("big"))
        }
        do {
            _ = try FleetImageWriter().write(plan: plan, timeline: .none(plan: plan), to: folder.file("big"))
        } catch {
            #expect(error.description.hasPrefix("fleet: the images need"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// Where writing a fleet fails, in `failureCleansUp`.
    enum WriteFailure: CaseIterable {
        /// Creating the images of the second batch of guests, after the first batch's are written.
        case secondBatch
        /// Creating `timeline.json`, after every image is written.
        case manifest
    }

    @Test("a failure while writing removes everything written so far", .root, arguments: WriteFailure.allCases)
    func failureCleansUp(failure: WriteFailure) throws {
        // 23 guests of about 0.6 MiB, 2 files each (the images and one snapshot): written in
        // batches of 16 guests.
        let plan = try FleetPlan(spec: try featureSpec(count: 20), seed: 1, scale: 0.1)
        let timeline = ChurnTimeline(plan: plan, steps: 1, interval: 5)
        let files = plan.guests.count * 2
        #expect(files == 46)
        // Inodes for the tmpfs's root, the writer's staging folder and the files that fit.
        let fitting = failure == .secondBatch ? 16 * 2 + 3 : files
        let disk = try SmallTmpfs(inodes: 2 + fitting)
        let writer = FleetImageWriter(threads: 2, chunkPages: 16)
        let error = #expect(throws: GenerationError.self) {
            try writer.write(plan: plan, timeline: timeline, to: disk.path + "/set")
        }
        let failed = failure == .secondBatch ? "open failed" : "timeline.json: write failed"
        #expect(error?.description.contains(failed) == true, "\(String(describing: error))")
        #expect(error?.description.contains("No space left on device") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path).isEmpty)
    }

    @Test("an existing folder is kept unless replacing is asked for")
    func existing() throws {
        let folder = try GeneratorScratch()
        let out = folder.file("set")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        let plan = try FleetPlan(spec: try featureSpec(count: 1), seed: 1)
        #expect(throws: GenerationError.outputExists(path: out)) {
            try FleetImageWriter().write(plan: plan, timeline: .none(plan: plan), to: out)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["notes.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["set"])
        _ = try FleetImageWriter(replaceExisting: true).write(plan: plan, timeline: .none(plan: plan), to: out + "/")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).contains("expected.json"))
        #expect(!FileManager.default.fileExists(atPath: out + "/notes.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["set"])
        // A missing parent folder is named.
        #expect(throws: GenerationError.noParent(path: folder.file("no/such/set"))) {
            try FleetImageWriter().write(plan: plan, timeline: .none(plan: plan), to: folder.file("no/such/set"))
        }
    }

    @Test("scale multiplies sizes and keeps the shape")
    func scale() throws {
        let spec = try featureSpec()
        let full = try FleetPlan(spec: spec, seed: 1)
        let half = try FleetPlan(spec: spec, seed: 1, scale: 0.5)
        #expect(half.guests.count == full.guests.count)
        for (small, large) in zip(half.guests, full.guests) { #expect(small.pageCount * 2 == large.pageCount) }
        #expect(half.guests[0].churn?.pagesPerSecond == 4)
    }
}

/// Barker et al.'s measures of one set: pages saved excluding zero pages as a share of non-zero
/// pages, and the share of those savings that merging inside each image alone would keep.
func barkerFigures(_ set: ExpectedCounts) -> (nonZeroSharing: Double, selfShare: Double) {
    let zeroSaved = set.images.reduce(0) { $0 + KSMPageFill(copies: $1.zeroPages, maxPageSharing: 256).sharing }
    let saved = set.pagesSharing - set.zeroOnlySavedPages
    let intra = set.intraImageSavedPages - zeroSaved
    return (Double(saved) / Double(set.pages - set.zeroPages), Double(intra) / Double(max(1, saved)))
}

@Suite("Generator samples")
struct GeneratorSampleTests {
    func expected(_ name: String, scale: Double = 1) throws -> ExpectedCounts {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples")
        let spec = try FleetSpec(contentsOfFile: folder.appendingPathComponent("\(name).json").path)
        let plan = try FleetPlan(spec: spec, seed: 1, scale: scale)
        return ExpectedCounts(plan: plan, timeline: .none(plan: plan), step: 0)
    }

    @Test("desktop-pool lands inside Barker et al.'s ranges at full size")
    func desktopPool() throws {
        let figures = barkerFigures(try expected("desktop-pool"))
        #expect(figures.nonZeroSharing < 0.15)
        #expect(figures.selfShare > 0.9)
    }

    @Test("container-hosts shares little; linux-web-servers shares a lot, between guests")
    func others() throws {
        let containers = barkerFigures(try expected("container-hosts"))
        #expect(containers.nonZeroSharing < 0.05)
        let web = barkerFigures(try expected("linux-web-servers"))
        #expect(web.nonZeroSharing > 0.3 && web.selfShare < 0.1)
    }

    @Test("demo.json stays under 64 MiB")
    func demo() throws {
        let set = try expected("demo")
        #expect(set.pages * 4096 <= 64 << 20)
        #expect(set.images.count >= 3)
    }
}

extension ArraySlice where Element == UInt8 {
    /// Consecutive pieces of `size` bytes.
    fileprivate func chunks(_ size: Int) -> [[UInt8]] {
        stride(from: startIndex, to: endIndex, by: size).map { Array(self[$0..<Swift.min($0 + size, endIndex)]) }
    }
}
