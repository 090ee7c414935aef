import Foundation
import Testing

@testable import KSMScope

/// Placement of guests on several hosts: against every assignment on small fleets, against
/// scans of each host, and against round-robin on a generated fleet of families.
@Suite("Fleet placement")
struct FleetPlacementTests {
    /// A content map built by hand: every guest holds the global pool, its family's pool,
    /// `zero` zero pages and `unique` pages of its own; family f's guests hold `familyPages[f]`
    /// pages of its pool. Guests are listed round-robin over the families.
    static func familyMap(
        families: Int, perFamily: Int, familyPages: [Int], globalPages: Int, unique: Int, zero: Int, seed: UInt64
    ) -> (map: ContentMap, family: [Int]) {
        var generator = SplitMix(state: seed)
        var contentOfPage: [UInt32] = []
        var pageCounts: [Int] = []
        var family: [Int] = []
        var next = UInt32(1 + globalPages)
        var familyStart: [UInt32] = []
        for f in 0..<families {
            familyStart.append(next)
            next += UInt32(familyPages[f])
        }
        for index in 0..<families * perFamily {
            let f = index % families
            var pages: [UInt32] = Array(repeating: 0, count: zero)
            pages += (0..<globalPages).map { UInt32(1 + $0) }
            pages += (0..<familyPages[f]).map { familyStart[f] + UInt32($0) }
            pages += (0..<unique).map { next + UInt32($0) }
            next += UInt32(unique)
            pages.shuffle(using: &generator)
            contentOfPage += pages
            pageCounts.append(pages.count)
            family.append(f)
        }
        var isZero = [Bool](repeating: false, count: Int(next))
        isZero[0] = true
        let map = ContentMap(
            layout: ImageLayout(pageCounts: pageCounts), contentOfPage: contentOfPage,
            checksum: (0..<Int(next)).map { UInt32(truncatingIfNeeded: GuestSketch.mix(UInt64($0))) }, isZero: isZero)
        return (map, family)
    }

    /// A map of random sharing: each guest draws its pages from a small pool, so any two share
    /// something, unevenly.
    static func randomMap(guests: Int, pages: Int, pool: Int, seed: UInt64) -> ContentMap {
        var generator = SplitMix(state: seed)
        var contentOfPage: [UInt32] = []
        var next = UInt32(pool)
        for _ in 0..<guests {
            for _ in 0..<pages {
                if generator.next() % 3 == 0 {
                    contentOfPage.append(next)
                    next += 1
                } else {
                    contentOfPage.append(UInt32(generator.next() % UInt64(pool)))
                }
            }
        }
        var isZero = [Bool](repeating: false, count: Int(next))
        isZero[0] = true
        return ContentMap(
            layout: ImageLayout(pageCounts: Array(repeating: pages, count: guests)), contentOfPage: contentOfPage,
            checksum: Array(repeating: 0, count: Int(next)), isZero: isZero)
    }

    /// The best (most placed, then most saved) over every assignment of guests to hosts or to
    /// none, each host's saving folded from scratch; written without the placement code.
    static func bruteForce(
        _ map: ContentMap, tunables: KSMTunables, costs: [Int], usable: Int, factor: Double, pageSize: Int, hosts: Int
    ) -> (placed: Int, savedPages: Int) {
        let n = costs.count
        // Every subset's saving and whether it fits, once.
        var saved = [Int](repeating: 0, count: 1 << n)
        var fits = [Bool](repeating: true, count: 1 << n)
        for subset in 1..<(1 << n) {
            let members = (0..<n).filter { subset & (1 << $0) != 0 }
            saved[subset] = map.savedPages(guests: members, tunables: tunables)
            let cost = members.reduce(0) { $0 + costs[$1] }
            fits[subset] = Double(cost - usable) <= factor * Double(saved[subset] * pageSize)
        }
        var best = (placed: -1, savedPages: -1)
        var choice = [Int](repeating: 0, count: n)
        let choices = hosts + 1
        var total = 1
        for _ in 0..<n { total *= choices }
        for code in 0..<total {
            var value = code
            for guest in 0..<n {
                choice[guest] = value % choices
                value /= choices
            }
            var subsets = [Int](repeating: 0, count: hosts)
            var placed = 0
            for guest in 0..<n where choice[guest] < hosts {
                subsets[choice[guest]] |= 1 << guest
                placed += 1
            }
            guard subsets.allSatisfy({ fits[$0] }) else { continue }
            let pages = subsets.reduce(0) { $0 + saved[$1] }
            if (placed, pages) > best { best = (placed, pages) }
        }
        return best
    }

    static func placement(_ map: ContentMap, costs: [Int], usable: Int, factor: Double, hosts: Int) throws -> FleetPlacement {
        FleetPlacement(
            profiles: GuestProfiles(tally: try PlanTally.of(map), every: 1), costs: costs, usable: usable, savingFactor: factor,
            pageSize: 4096, hostCount: hosts)
    }

    @Test("on families, greedy + local search finds the best assignment", arguments: Array(UInt64(1)...12))
    func heuristicOnFamilies(seed: UInt64) throws {
        // 2 or 3 families of 2 or 3 guests, pools of different sizes, on 2 or 3 hosts.
        let families = 2 + Int(seed % 2)
        let (map, _) = Self.familyMap(
            families: families, perFamily: 2 + Int(seed / 2 % 2), familyPages: [40, 60, 25].map { $0 + Int(seed) * 3 },
            globalPages: 10 + Int(seed), unique: 30, zero: 5, seed: seed)
        let n = map.layout.imageCount
        let costs = (0..<n).map { map.layout.pages(of: $0).count * 4096 + 4096 }
        // Room for about 2.5 guests a host without sharing.
        let usable = costs[0] * 5 / 2
        let hosts = 2 + Int(seed / 4 % 2)
        let expected = Self.bruteForce(
            map, tunables: .defaults, costs: costs, usable: usable, factor: 0.9, pageSize: 4096, hosts: hosts)
        let placement = try Self.placement(map, costs: costs, usable: usable, factor: 0.9, hosts: hosts)
        let found = placement.heuristic()
        #expect(n - found.unplaced.count == expected.placed)
        #expect(found.savedPages == expected.savedPages, "\(found.hosts.map { $0.guests.sorted() }) \(placement.exhaustive().hosts.map { $0.guests.sorted() })")
        let exhaustive = placement.exhaustive()
        #expect(exhaustive.savedPages == expected.savedPages && exhaustive.unplaced.count == n - expected.placed)
    }

    @Test("on random sharing, the search used for small fleets is the best assignment", arguments: [5, 6, 7])
    func exhaustiveOnRandom(seed: UInt64) throws {
        let map = Self.randomMap(guests: 6, pages: 60, pool: 50, seed: seed)
        let costs: [Int] = (0..<6).map { guest in
            let extra: Int = (guest * 7 + Int(seed)) % 5
            return (60 + extra) * 4096
        }
        let usable = 150 * 4096
        let expected = Self.bruteForce(
            map, tunables: .defaults, costs: costs, usable: usable, factor: 1, pageSize: 4096, hosts: 3)
        let placement = try Self.placement(map, costs: costs, usable: usable, factor: 1, hosts: 3)
        let (found, method) = placement.place()
        #expect(method == "exhaustive search")
        #expect(found.savedPages == expected.savedPages && 6 - found.unplaced.count == expected.placed)
        // Every host of the result fits, and its saving is its guests folded from scratch.
        for host in found.hosts {
            #expect(placement.fits(cost: host.costBytes, savedPages: host.savedPages))
            #expect(host.savedPages == map.savedPages(guests: host.guests.sorted()))
        }
        // The heuristic path on the same fleet never does worse than first-fit and fits.
        let heuristic = placement.heuristic()
        for host in heuristic.hosts { #expect(placement.fits(cost: host.costBytes, savedPages: host.savedPages)) }
        #expect(heuristic.unplaced.count <= placement.firstFit().unplaced.count)
    }

    @Test("sketches: whole sketches give exact overlaps, large ones estimate them")
    func sketches() throws {
        let (map, family) = Self.familyMap(
            families: 2, perFamily: 2, familyPages: [3000, 100], globalPages: 50, unique: 400, zero: 3, seed: 9)
        let profiles = GuestProfiles(tally: try PlanTally.of(map), every: 1)
        let sketches = (0..<4).map { GuestSketch(profiles: profiles, guest: $0) }
        // Family 0 (guests 0 and 2) share 3000 + 50 groups: estimated within 15 %.
        #expect(family[0] == 0 && family[2] == 0)
        #expect(!sketches[0].isWhole)
        #expect(abs(sketches[0].overlap(sketches[2]) - 3050) < 3050 * 0.15)
        // Family 1's guests are sketched whole: exact.
        #expect(sketches[1].isWhole && sketches[3].isWhole)
        #expect(sketches[1].overlap(sketches[3]) == 150)
        // Across families: only the global pool.
        #expect(sketches[0].overlap(sketches[1]) < 50 * 2)
    }

    @Test("a generated fleet of families: placement beats round-robin, each host's saving is a scan of its guests")
    func generatedFamilies() throws {
        let scratch = try GeneratorScratch()
        // Three OS families, three guests each; files sort by name, so guests of one family are
        // adjacent and round-robin puts one of each family on every host.
        var oses: [[String: Any]] = []
        var fleet: [[String: Any]] = []
        for (index, name) in ["alpha", "beta", "gamma"].enumerated() {
            oses.append([
                "name": name, "family": name, "kernel_text_mib": 0.5 + 0.25 * Double(index), "kernel_data_mib": 0.25,
                "page_cache_mib": 0.5,
            ])
            fleet.append([
                "name": name, "count": 3, "memory_mib": 3, "os": name, "zero_fraction": 0.05, "stale_fraction": 0.1,
            ])
        }
        let spec = try parseSpec(["os": oses, "fleet": fleet])
        let (folder, _, _) = try generate(spec, into: scratch)
        let paths = try imageFiles(folder).map { folder + "/" + $0 }
        #expect(paths.count == 9)
        let configuration = ScanConfiguration(threads: 2)
        let images = try ImagePaths.open(paths, pageSize: configuration.pageSize)
        let map = try ContentMap.build(images, configuration: configuration)
        let profiles = GuestProfiles(tally: try PlanTally.of(map), every: 1)
        // Hosts of 3 guests and a bit: 3 MiB + 1 MiB overhead each.
        let host = try HostSpec(hostMemory: 13 << 20, reserved: 0, guestOverhead: 1 << 20, headroomPercent: 10)
        let costs = Array(repeating: 4 << 20, count: 9)
        for allowExhaustive in [false, true] {
            let report = CapacityPlanning.place(
                profiles: profiles, paths: paths, costs: costs, host: host, savingFactor: 0.9, pageSize: 4096, hosts: 3,
                allowExhaustive: allowExhaustive)
            #expect(report.unplaced.isEmpty)
            #expect(report.savedBytes > report.roundRobinSavedBytes, "\(report.method)")
            #expect(report.savedBytes >= report.firstFitSavedBytes, "\(report.method)")
            for placed in report.hosts {
                let scan = try SteadyStateScan(configuration: configuration).run(paths: placed.guests)
                #expect(placed.savedBytes == scan.savedBytes)
                #expect(placed.usedBytes == placed.guests.count * (4 << 20) - scan.savedBytes)
                // One family per host.
                let families = Set(placed.guests.map { ($0 as NSString).lastPathComponent.split(separator: "-")[0] })
                #expect(families.count == 1, "\(placed.guests)")
            }
            #expect(report.hosts.reduce(0) { $0 + $1.savedBytes } == report.savedBytes)
        }
    }
}
