import Foundation
import Testing

@testable import KSMScope

/// The profile format: round trip, refusals, the built-in profile, and `--profile` on simulate.
@Suite("ksmd cost profiles")
struct KsmdProfileTests {
    /// A profile with every part filled in.
    static func sample(pageSize: Int = 4096) -> KsmdProfile {
        var costs = KSMCostProfile.default
        costs.checksum = 812.5
        costs.cpuAvailability = 0.8
        return KsmdProfile(
            method: .kernel,
            host: HostDescription(
                cpuModel: "Test CPU", cores: 2, kernelRelease: "6.18.0", hz: 250, pageSize: pageSize,
                date: "2026-01-01T00:00:00Z", loadAverage: 0.5),
            costs: costs,
            sleeps: [.init(sleepMillisecs: 20, jiffies: 5, measuredSeconds: 0.0241, modelSeconds: 0.024)],
            fit: .init(
                rows: 3, cpuRMSRelativeError: 0.05, cpuMaxRelativeError: 0.1, wallRMSRelativeError: 0.04,
                wallMaxRelativeError: 0.08, fitted: ["checksum_ns"], kept: ["absent_page_ns"], seconds: 61, quick: false),
            residuals: [
                .init(
                    run: "unique 2x16 p1 s20", fullScan: 1, measuredCPUSeconds: 0.001, modelCPUSeconds: 0.0011,
                    measuredSeconds: 0.8, modelSeconds: 0.79)
            ],
            userspace: .init(xxh64PageNanoseconds: 500, memcmpEqualPageNanoseconds: 150, memcmpDifferingPageNanoseconds: 20))
    }

    /// The sample's JSON as an object to damage.
    static func object(_ profile: KsmdProfile = sample()) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(try profile.encoded().utf8)) as? [String: Any])
    }

    static func data(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

    @Test("a profile reads back equal to what was written, every coefficient and field")
    func roundTrip() throws {
        let profile = Self.sample()
        let decoded = try KsmdProfile.decode(json: Data(try profile.encoded().utf8))
        #expect(decoded == profile)
        let object = try Self.object()
        #expect(object["format"] as? String == "ksmscope-profile/1")
        #expect(object["measured"] as? Bool == true)
        let costs = try #require(object["costs"] as? [String: Any])
        for key in KSMCostProfile.Step.allCases.map(\.rawValue) + ["wake_latency_ns", "cpu_availability"] {
            #expect(costs[key] != nil, "\(key)")
        }
        let host = try #require(object["host"] as? [String: Any])
        for key in ["cpu_model", "kernel_release", "hz", "page_size", "date"] { #expect(host[key] != nil, "\(key)") }
        // The built-in profile round-trips too, and says it is not a measurement.
        let builtIn = try KsmdProfile.decode(json: Data(try KsmdProfile.builtIn.encoded().utf8))
        #expect(builtIn == KsmdProfile.builtIn)
        #expect(!builtIn.measured)
    }

    @Test("a profile written before rewarm_ns existed reads with no rewarming, everything else as written")
    func profileWithoutRewarm() throws {
        var profile = Self.sample()
        profile.costs.rewarm = 321
        var object = try Self.object(profile)
        var costs = try #require(object["costs"] as? [String: Any])
        costs["rewarm_ns"] = nil
        object["costs"] = costs
        let decoded = try KsmdProfile.decode(json: try Self.data(object))
        #expect(decoded.costs.rewarm == 0)
        profile.costs.rewarm = 0
        #expect(decoded == profile)
    }

    @Test("a newer format, a missing or negative coefficient, another page size: refused with one line")
    func refusals() throws {
        var newer = try Self.object()
        newer["format"] = "ksmscope-profile/2"
        #expect(throws: KsmdProfileError.newerFormat("ksmscope-profile/2")) { try KsmdProfile.decode(json: try Self.data(newer)) }

        var missing = try Self.object()
        var costs = try #require(missing["costs"] as? [String: Any])
        costs["batch_ns"] = nil
        missing["costs"] = costs
        #expect(throws: KsmdProfileError.costs(.missingCost(key: "batch_ns"))) {
            try KsmdProfile.decode(json: try Self.data(missing))
        }

        var negative = try Self.object()
        costs = try #require(negative["costs"] as? [String: Any])
        costs["checksum_ns"] = -3
        negative["costs"] = costs
        #expect(throws: KsmdProfileError.costs(.invalidCost(key: "checksum_ns"))) {
            try KsmdProfile.decode(json: try Self.data(negative))
        }

        var availability = try Self.object()
        costs = try #require(availability["costs"] as? [String: Any])
        costs["cpu_availability"] = 0
        availability["costs"] = costs
        #expect(throws: KsmdProfileError.costs(.invalidAvailability(0))) {
            try KsmdProfile.decode(json: try Self.data(availability))
        }

        var other = try Self.object()
        other["format"] = "something-else/1"
        #expect(throws: KsmdProfileError.notAProfile(format: "something-else/1")) {
            try KsmdProfile.decode(json: try Self.data(other))
        }
        var noHost = try Self.object()
        noHost["host"] = nil
        #expect(throws: KsmdProfileError.invalidField("host")) { try KsmdProfile.decode(json: try Self.data(noHost)) }

        let big = Self.sample(pageSize: 16384)
        #expect(throws: KsmdProfileError.pageSize(profile: 16384, run: 4096)) { try big.check(pageSize: 4096) }
        for error in [
            KsmdProfileError.newerFormat("ksmscope-profile/2"), .costs(.missingCost(key: "batch_ns")),
            .pageSize(profile: 16384, run: 4096), .notJSON,
        ] {
            #expect(!"\(error)".contains("\n"))
        }
        #expect("\(KsmdProfileError.costs(.missingCost(key: "batch_ns")))" == "profile costs: 'batch_ns' is missing")
    }

    @Test(
        "simulate --profile names the profile in its report; a bad profile is one line and exit status 1",
        .executable)
    func simulateProfile() throws {
        let folder = try TemporaryFolder()
        let factory = PageFactory(pageSize: 4096)
        let image = try folder.write("g.img", factory.image([factory.page(1), factory.page(1), factory.page(2)]))
        let good = try folder.write("good.json", Array(try Self.sample().encoded().utf8))
        let outcome = try CommandRunner.run(["simulate", "--profile", good, "--full-scans", "2", "--format", "json", image])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let settings = try #require(report["settings"] as? [String: Any])
        let profile = try #require(settings["profile"] as? [String: Any])
        #expect(profile["source"] as? String == good)
        #expect(profile["measured"] as? Bool == true)
        #expect((settings["costs"] as? [String: Any])?["checksum_ns"] as? Double == 812.5)

        let builtIn = try CommandRunner.run(["simulate", "--full-scans", "2", image])
        #expect(builtIn.stdout.contains("profile: built-in profile (built-in, fitted on the development machine"))

        var newer = try Self.object()
        newer["format"] = "ksmscope-profile/9"
        let bad = try folder.write("newer.json", Array(try Self.data(newer)))
        let refused = try CommandRunner.run(["simulate", "--profile", bad, image])
        #expect(refused.status == 1)
        #expect(
            refused.stderr
                == "ksmscope: \(bad): profile format 'ksmscope-profile/9' is newer than this ksmscope reads ('ksmscope-profile/1'): update ksmscope or calibrate again\n"
        )
        let big = try folder.write("big.json", Array(try Self.sample(pageSize: 16384).encoded().utf8))
        let wrongSize = try CommandRunner.run(["simulate", "--profile", big, image])
        #expect(wrongSize.status == 1)
        #expect(wrongSize.stderr.hasPrefix("ksmscope: \(big): profile is for 16384-byte pages but this run uses 4096-byte pages"))
        let none = try CommandRunner.run(["simulate", "--profile", folder.path + "/none.json", image])
        #expect(none.stderr == "ksmscope: \(folder.path)/none.json: cannot read the profile: no such file\n")
        // --costs still overrides single figures, over the profile's.
        let costs = try folder.write("costs.json", Array(#"{"merge_ns": 7777}"#.utf8))
        let both = try CommandRunner.run([
            "simulate", "--profile", good, "--costs", costs, "--full-scans", "2", "--format", "json", image,
        ])
        let bothSettings = try #require(
            (try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [String: Any])?["settings"]
                as? [String: Any])
        let bothCosts = try #require(bothSettings["costs"] as? [String: Any])
        #expect(bothCosts["merge_ns"] as? Double == 7777)
        #expect(bothCosts["checksum_ns"] as? Double == 812.5)
    }

    @Test(
        "calibrate without root estimates from userspace timings and says so",
        .executable, .privilegeDrop)
    func estimateWithoutRoot() throws {
        let outcome = try CommandRunner.run(["calibrate", "--format", "json", "--quiet"], asUser: 65534)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("estimating from userspace timings instead"))
        let profile = try KsmdProfile.decode(json: Data(outcome.stdout.utf8))
        #expect(profile.method == .userspaceEstimate)
        #expect(!profile.measured)
        #expect(profile.costs.checksum > 0)
        let text = try CommandRunner.run(["calibrate", "--quiet"], asUser: 65534)
        #expect(text.stdout.contains("ESTIMATE: the real ksmd could not be measured here"))
    }
}
