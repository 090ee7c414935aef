import Foundation
import Testing

@testable import KSMScope

/// `ksmscope plan` as a user runs it: the contract's JSON, the formats, and bad input.
@Suite("ksmscope plan", .executable)
struct PlanCommandTests {
    let factory = PageFactory(pageSize: 4096)

    /// Two small guests sharing a few pages.
    func guests(_ folder: TemporaryFolder) throws -> [String] {
        let a = try folder.write("a.img", factory.image([factory.page(1), factory.page(1), factory.page(2), factory.page(0)]))
        let b = try folder.write("b.img", factory.image([factory.page(1), factory.page(3), factory.page(2), factory.page(0)]))
        return [a, b]
    }

    @Test("JSON, text and CSV carry the plan; the numbers follow the arithmetic")
    func formats() throws {
        let folder = try TemporaryFolder()
        let paths = try guests(folder)
        let base = ["plan", "--quiet", "--host-memory", "100K", "--reserved", "20K", "--guest-overhead", "4K", "--headroom", "0"]
        let json = try CommandRunner.run(base + ["--format", "json"] + paths)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let host = try #require(object["host"] as? [String: Any])
        #expect(host["usable"] as? Int == 80 << 10)
        // Each guest costs 16 KiB + 4 KiB: without KSM 4 guests fit in 80 KiB.
        let fit = try #require(object["guests_fit"] as? [String: Int])
        #expect(fit["without_ksm"] == 4)
        // saved(k) = 4, 16, 28, 40, 52, 64, 76 KiB for k = 1..7 (guest 1 alone saves page 1; guest
        // 2 adds 3 pages); cost 20k: 20-4, 40-16, 60-28, 80-40, 100-52, 120-64, 140-76 = 16, 24,
        // 32, 40, 48, 56, 64, then 160-88 = 72, 180-100 = 80, 200-112 = 88: 9 guests fit.
        #expect(fit["with_ksm"] == 9)
        #expect(fit["with_ksm_under_churn"] == 9)
        for key in [
            "sharing_curve", "ram_allocation_ratio", "unmerge_risk_bytes", "overcommit", "policies", "thp", "convergence",
            "savings_by_kind", "verdict",
        ] {
            #expect(object[key] != nil, "\(key)")
        }
        let curve = try #require(object["sharing_curve"] as? [[String: Any]])
        #expect(curve.count == 9)
        #expect(curve[1]["saved_bytes"] as? Int == 16 << 10)
        #expect(curve[2]["extrapolated"] as? Bool == true)
        let text = try CommandRunner.run(base + paths)
        #expect(text.status == 0)
        #expect(text.stdout.contains("ram_allocation_ratio = "))
        let csv = try CommandRunner.run(base + ["--format", "csv"] + paths)
        #expect(csv.stdout.hasPrefix("path,value\n"))
        #expect(csv.stdout.contains("\nguests_fit.with_ksm,9\n"))
        let out = folder.path + "/plan.json"
        let written = try CommandRunner.run(base + ["--format", "json", "--out", out] + paths)
        #expect(written.status == 0 && written.stdout.isEmpty)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == json.stdout)
    }

    @Test("--hosts places the guests: the contract's placement keys")
    func placement() throws {
        let folder = try TemporaryFolder()
        let paths = try guests(folder)
        let outcome = try CommandRunner.run(
            ["plan", "--quiet", "--host-memory", "40K", "--reserved", "4K", "--guest-overhead", "4K", "--hosts", "2",
             "--format", "json"] + paths)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let placement = try #require(object["placement"] as? [String: Any])
        // Both guests fit on one host (36 KiB usable, 40 KiB of guests less 16 KiB saved): together they save 16 KiB.
        #expect(placement["saved_bytes"] as? Int == 16 << 10)
        #expect(placement["round_robin_saved_bytes"] as? Int == 4 << 10)  // only a saves alone: page 1 twice
        #expect(placement["first_fit_saved_bytes"] as? Int == 16 << 10)
        let hosts = try #require(placement["hosts"] as? [[String: Any]])
        #expect(hosts.count == 2)
        let full = try #require(hosts.first { ($0["guests"] as? [String])?.count == 2 })
        #expect(full["guests"] as? [String] == paths)
        #expect(full["used_bytes"] as? Int == 40 << 10 - 16 << 10)
        #expect(full["saved_bytes"] as? Int == 16 << 10)
    }

    @Test("fingerprint files plan exactly as the images they were made from")
    func fingerprints() throws {
        let folder = try TemporaryFolder()
        let paths = try guests(folder)
        let written = try CommandRunner.run(["fingerprint", "--quiet", "--out", folder.path + "/fp"] + paths)
        #expect(written.status == 0, "\(written.stderr)")
        let base = ["plan", "--quiet", "--host-memory", "100K", "--reserved", "20K", "--guest-overhead", "4K", "--format", "json"]
        let images = try CommandRunner.run(base + paths)
        let fingerprints = try CommandRunner.run(base + paths.map { folder.path + "/fp/" + ($0 as NSString).lastPathComponent + ".ksmfp" })
        #expect(fingerprints.status == 0, "\(fingerprints.stderr)")
        // The same report but for the file names and the equality.
        let named = fingerprints.stdout.replacingOccurrences(of: "/fp/", with: "/").replacingOccurrences(of: ".img.ksmfp", with: ".img")
            .replacingOccurrences(of: "\"equality\" : \"fingerprint-128\"", with: "\"equality\" : \"bytes\"")
        #expect(named == images.stdout)
    }

    @Test("bad input: one line naming the problem, non-zero exit")
    func badInput() throws {
        let folder = try TemporaryFolder()
        let paths = try guests(folder)
        let cases: [([String], String)] = [
            (["--host-memory", "1G", "--hosts", "0"], "--hosts 0"),
            (["--host-memory", "-1G"], "'-1G' is invalid for '--host-memory"),
            (["--host-memory", "lots"], "'lots' is invalid for '--host-memory"),
            (["--host-memory", "1G", "--reserved", "-5M"], "'-5M' is invalid for '--reserved"),
            (["--host-memory", "1G", "--headroom", "150"], "--headroom 150"),
            (["--host-memory", "1G", "--headroom", "-1"], "--headroom -1"),
            (["--host-memory", "1G", "--reserved", "1G"], "--reserved"),
            (["--host-memory", "1G", "--policy", "domain"], "--policy domain needs --domains"),
            (["--host-memory", "24K", "--reserved", "4K", "--guest-overhead", "8K"], "does not hold one guest"),
        ]
        for (arguments, message) in cases {
            let outcome = try CommandRunner.run(["plan", "--quiet"] + arguments + paths)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stderr.hasPrefix("ksmscope: "), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
        }
        let missing = try CommandRunner.run(["plan", "--host-memory", "1G", folder.path + "/none.img"])
        #expect(missing.status == 1 && missing.stderr.contains("none.img"))
        let nothing = try CommandRunner.run(["plan", "--host-memory", "1G"])
        #expect(nothing.status == 64 && nothing.stderr.contains("name at least one guest"))
    }
}
