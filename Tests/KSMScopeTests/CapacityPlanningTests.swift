import Foundation
import Testing

@testable import KSMScope

/// The plan's figures against scans of the same guests and against arithmetic done by hand.
@Suite("Capacity planning: sharing curve, capacity, policies")
struct CapacityPlanningTests {
    /// Scans `fixture`'s images into a content map.
    static func contents(_ fixture: ScanFixture, pageSize: Int = 4096) throws -> ContentMap {
        let configuration = ScanConfiguration(pageSize: try PageSize(bytes: pageSize), threads: 2)
        return try ContentMap.build(ImagePaths.open(fixture.paths, pageSize: configuration.pageSize), configuration: configuration)
    }

    /// A fixture of guests that share within and between them, with zero and unique pages.
    static func fleet(pageSize: Int = 4096, seed: UInt64) throws -> ScanFixture {
        let factory = PageFactory(pageSize: pageSize)
        return try ScanFixture(
            mixedImages(
                factory: factory, copies: [2, 3, 5, 9, 17, 40, 257, 258, 600], zeroPages: 300, uniquePages: 40,
                imageCount: 6, seed: seed))
    }

    @Test("each point of the sharing curve equals a scan of that prefix", arguments: [2, 3, 256], [false, true])
    func curveEqualsPrefixScans(maxPageSharing: Int, useZeroPages: Bool) throws {
        let fixture = try Self.fleet(seed: UInt64(maxPageSharing) + (useZeroPages ? 100 : 0))
        let map = try Self.contents(fixture)
        let tunables = try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        let n = fixture.paths.count
        let domains = MergeDomains(
            rules: [("guest-000.img", "a"), ("guest-003.img", "a"), ("guest-001.img", "b")], images: fixture.paths)
        var curves: [MergePolicy: SharingCurve] = [:]
        let tally = try PlanTally.of(map, tunables: tunables, domains: domains.indices)
        for policy in MergePolicy.allCases { curves[policy] = tally.sharingCurve(policy) }
        for k in 1...n {
            let scan = try SteadyStateScan(
                configuration: .init(threads: 2), tunables: tunables,
                domainRules: [("guest-000.img", "a"), ("guest-003.img", "a"), ("guest-001.img", "b")]
            ).run(paths: Array(fixture.paths[..<k]))
            #expect(curves[.all]!.saved(guests: k) == scan.savedBytes, "k \(k)")
            #expect(curves[.all]!.zeroSaved(guests: k) == scan.policies.zeroOnly, "k \(k)")
            #expect(curves[.intraImage]!.saved(guests: k) == scan.policies.intraImage, "k \(k)")
            #expect(curves[.zeroOnly]!.saved(guests: k) == scan.policies.zeroOnly, "k \(k)")
            #expect(curves[.domain]!.saved(guests: k) == scan.policies.domain, "k \(k)")
        }
    }

    @Test("beyond the inputs the curve repeats the last marginal saving, cycling through the inputs' memory")
    func extrapolation() {
        let MiB = 1 << 20
        let curve = SharingCurve(
            guestMemory: [100 * MiB, 200 * MiB, 300 * MiB], savedBytes: [10 * MiB, 50 * MiB, 70 * MiB],
            zeroSavedBytes: [5 * MiB, 6 * MiB, 7 * MiB])
        #expect(curve.saved(guests: 0) == 0)
        #expect(curve.saved(guests: 3) == 70 * MiB)
        #expect(curve.saved(guests: 5) == 70 * MiB + 2 * 20 * MiB)
        #expect(curve.zeroSaved(guests: 5) == 7 * MiB + 2 * MiB)
        #expect(curve.marginal(guest: 2) == 40 * MiB)
        #expect(curve.marginal(guest: 7) == 20 * MiB)
        #expect(curve.memory(guests: 5) == (600 + 300) * MiB)
        let points = curve.points(upTo: 4)
        #expect(points.map(\.extrapolated) == [false, false, false, true])
        #expect(points[3].savedBytes == 90 * MiB && points[3].marginalSavedBytes == 20 * MiB)
    }

    @Test("capacity arithmetic on a case worked by hand")
    func capacityByHand() throws {
        let MiB = 1 << 20
        // Three inputs of 1000, 1000 and 2000 MiB, saving 100, 400 and 700 MiB together (the last
        // marginal saving is 300 MiB). Host 10 GiB = 10240 MiB, reserved 512 MiB: usable 9728 MiB.
        // Each guest costs its memory + 500 MiB: 1500, 1500, 2500, then 1500, 1500, 2500, ...
        let curve = SharingCurve(
            guestMemory: [1000 * MiB, 1000 * MiB, 2000 * MiB], savedBytes: [100 * MiB, 400 * MiB, 700 * MiB],
            zeroSavedBytes: [0, 100 * MiB, 100 * MiB])
        let host = try HostSpec(hostMemory: 10240 * MiB, reserved: 512 * MiB, guestOverhead: 500 * MiB, headroomPercent: 10)
        #expect(host.usable == 9728 * MiB)
        // Without KSM: costs 1500, 3000, 5500, 7000, 8500, 11000: 5 guests (8500 <= 9728 < 11000).
        #expect(try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: 0) == 5)
        // With KSM: saved(k) = 100, 400, 700, 1000, 1300, 1600, 1900; cost - saved =
        // 1400, 2600, 4800, 6000, 7200, 9400, 10600: 6 guests.
        #expect(try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: 1) == 6)
        // Counting 0.9 x 0.8 = 0.72 of the saving: guest 6 needs 11000 - 0.72 x 1600 = 9848 > 9728: 5.
        #expect(try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: 0.72) == 5)
        // Counting 0.9: 11000 - 1440 = 9560 <= 9728, guest 7: 12500 - 1710 = 10790: 6.
        #expect(try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: 0.9) == 6)
        // Nova for 6 guests: flavors of 7 guests = 1000+1000+2000+1000+1000+2000+1000 = 9000 MiB;
        // 9000 / 9728 = 0.9251...: 0.92, at which Nova admits 8000 <= 8949.76: 6 guests.
        let ratio = HostCapacity.ramAllocationRatio(curve: curve, host: host, guests: 6)
        #expect(ratio.hundredths == 92)
        #expect(ratio.admitted == 6)
        // For 5 guests: flavors of 6 guests = 8000 MiB; 8000 / 9728 = 0.8223...: 0.82, admits 7000 <= 7976.96: 5.
        #expect(HostCapacity.ramAllocationRatio(curve: curve, host: host, guests: 5) == (82, 5))
    }

    @Test("the ratio is strictly below the next guest's quotient, and rounding down can admit one guest fewer")
    func ratioEdges() throws {
        let MiB = 1 << 20
        // 1000 MiB guests on 4000 MiB usable: 4 guests is exactly ratio 1.00, 5 guests would be 1.25.
        let curve = SharingCurve(guestMemory: [1000 * MiB], savedBytes: [0], zeroSavedBytes: [0])
        let host = try HostSpec(hostMemory: 4512 * MiB, reserved: 512 * MiB, guestOverhead: 0, headroomPercent: 0)
        // For 4 guests: the largest ratio admitting no fifth guest is below 1.25: 1.24.
        #expect(HostCapacity.ramAllocationRatio(curve: curve, host: host, guests: 4) == (124, 4))
        // 3000 MiB usable, 1000 MiB guests on 3001 MiB: 3 guests fit; 4 would need 4000/3001 = 1.3328...:
        // ratio 1.33 admits 3991.33 MiB: still 3.
        let odd = try HostSpec(hostMemory: 3513 * MiB, reserved: 512 * MiB, guestOverhead: 0, headroomPercent: 0)
        #expect(HostCapacity.ramAllocationRatio(curve: curve, host: odd, guests: 3) == (133, 3))
        // A host of 100 000 MiB: 100 guests is ratio 1.0, 101 guests 1.01; for 100 guests the
        // largest ratio strictly below 1.01 is 1.00.
        let big = try HostSpec(hostMemory: 100_512 * MiB, reserved: 512 * MiB, guestOverhead: 0, headroomPercent: 0)
        #expect(HostCapacity.ramAllocationRatio(curve: curve, host: big, guests: 100) == (100, 100))
        // 1000.5 MiB guests: 100 need 1.0005, 101 need 1.0105, so 1.01 admits exactly 100; for 99
        // (100 would need 1.0005) the ratio is 1.00.
        let half = SharingCurve(guestMemory: [1000 * MiB + 512 << 10], savedBytes: [0], zeroSavedBytes: [0])
        #expect(HostCapacity.ramAllocationRatio(curve: half, host: big, guests: 100) == (101, 100))
        #expect(HostCapacity.ramAllocationRatio(curve: half, host: big, guests: 99) == (100, 99))
        // 10.5 MiB guests: 1000 need 0.105, 1001 need 0.105105: no multiple of 0.01 lies between,
        // so the ratio rounds down to 0.10, at which Nova admits 952 (9996 MiB), fewer than planned.
        let small = SharingCurve(guestMemory: [10 * MiB + 512 << 10], savedBytes: [0], zeroSavedBytes: [0])
        #expect(HostCapacity.ramAllocationRatio(curve: small, host: big, guests: 1000) == (10, 952))
    }

    @Test("guests that cost nothing after their saving are refused, not counted forever")
    func unbounded() throws {
        let curve = SharingCurve(guestMemory: [4096], savedBytes: [4096], zeroSavedBytes: [4096])
        let host = try HostSpec(hostMemory: 1 << 30, reserved: 0, guestOverhead: 0, headroomPercent: 0)
        #expect(throws: PlanError.unbounded(limit: HostCapacity.guestLimit)) {
            try HostCapacity.guestsFit(curve: curve, host: host, savingFactor: 1)
        }
    }

    @Test("bad host figures are refused with the option's name")
    func badHosts() {
        #expect(throws: PlanError.reserveTooLarge(hostMemory: 1 << 30, reserved: 1 << 30)) {
            try HostSpec(hostMemory: 1 << 30, reserved: 1 << 30)
        }
        #expect(throws: PlanError.headroom(101)) { try HostSpec(hostMemory: 1 << 30, headroomPercent: 101) }
        #expect(throws: PlanError.headroom(-1)) { try HostSpec(hostMemory: 1 << 30, headroomPercent: -1) }
        #expect(throws: PlanError.badSize(option: "--host-memory", bytes: 0)) { try HostSpec(hostMemory: 0) }
    }

    @Test("the whole plan: savings add up, pairs match scans of pairs, the plan's figures follow its curve")
    func wholePlan() throws {
        let fixture = try Self.fleet(seed: 7)
        let map = try Self.contents(fixture)
        let guests = fixture.paths.map { SimulatedGuest(image: $0) }
        let host = try HostSpec(hostMemory: 64 << 20, reserved: 8 << 20, guestOverhead: 1 << 20, headroomPercent: 10)
        let plan = try CapacityPlanning(host: host, simulation: .init(configuration: .init(threads: 2)))
            .run(contents: map, guests: guests)
        let scan = try fixture.scan()
        let kinds = plan.savingsByKind
        #expect(kinds.zeroBytes + kinds.withinGuestBytes + kinds.betweenGuestsBytes == scan.savedBytes)
        #expect(kinds.zeroBytes == scan.policies.zeroOnly)
        #expect(plan.policies.all.savedBytes == scan.savedBytes)
        #expect(plan.policies.intraImage.savedBytes == scan.policies.intraImage)
        #expect(plan.sharingCurve[fixture.paths.count - 1].savedBytes == scan.savedBytes)
        #expect(plan.churn.source == "steady_state" && abs(plan.churn.savingFactor - 0.9) < 1e-12)
        #expect(plan.churn.convergedSavedBytes == scan.savedBytes)
        #expect(plan.guestsFit.withoutKSM <= plan.guestsFit.withKSMUnderChurn)
        #expect(plan.guestsFit.withKSMUnderChurn <= plan.guestsFit.withKSM)
        #expect(plan.policies.all.guestsFit == plan.guestsFit.withKSMUnderChurn)
        #expect(plan.overcommit.ksmOnlyBytes + plan.overcommit.balloonAlsoBytes == plan.unmergeRiskBytes)
        // Heat map: the diagonal is each guest alone, the rest what a pair adds.
        let heat = try #require(plan.heatMap)
        for a in 0..<3 {
            let alone = try fixture.scanSubset([a]).savedBytes
            #expect(heat.savedBytes[a][a] == alone)
            #expect(plan.guests[a].aloneSavedBytes == alone)
            for b in a + 1..<4 {
                let pair = try fixture.scanSubset([a, b]).savedBytes
                let other = try fixture.scanSubset([b]).savedBytes
                #expect(heat.savedBytes[a][b] == pair - alone - other, "pair \(a) \(b)")
                #expect(heat.savedBytes[b][a] == heat.savedBytes[a][b])
            }
        }
        // The JSON carries the contract's keys; the CSV the same figures.
        let json = try ReportJSON.encode(plan)
        for key in [
            "\"host_memory\"", "\"reserved\"", "\"guest_overhead\"", "\"usable\"", "\"sharing_curve\"", "\"guests\"",
            "\"saved_bytes\"", "\"marginal_saved_bytes\"", "\"extrapolated\"", "\"without_ksm\"", "\"with_ksm\"",
            "\"with_ksm_under_churn\"", "\"ram_allocation_ratio\"", "\"unmerge_risk_bytes\"", "\"ksm_only_bytes\"",
            "\"balloon_also_bytes\"", "\"swap_needed_bytes\"", "\"intra_image\"", "\"zero_only\"", "\"guests_fit\"",
            "\"regions\"", "\"regions_split\"", "\"tradeoff\"", "\"min_merged_percent\"", "\"path\"",
        ] {
            #expect(json.contains(key), "\(key)")
        }
        let csv = try plan.csv()
        #expect(csv.contains("\nguests_fit.with_ksm,\(plan.guestsFit.withKSM)\n"))
        #expect(csv.contains("\nsharing_curve[0].saved_bytes,\(plan.sharingCurve[0].savedBytes)\n"))
        #expect(csv.contains("\nram_allocation_ratio,\(plan.ramAllocationRatio)\n"))
    }
}

extension ScanFixture {
    /// Scans only the images at `indices`, in that order.
    func scanSubset(_ indices: [Int]) throws -> ScanReport {
        try SteadyStateScan(configuration: .init(threads: 2)).run(paths: indices.map { paths[$0] })
    }
}
