import Foundation
import Testing

@Suite("ksmscope simulate on the command line")
struct SimulateCommandTests {
    let factory = PageFactory(pageSize: 4096)

    @Test(
        "invalid tunables are refused with the kernel's limits",
        arguments: [
            (["--max-page-sharing", "1"], "max_page_sharing 1 is below the kernel's minimum of 2"),
            (["--advisor-mode", "scan-time", "--pages-to-scan", "100"], "EINVAL"),
            (["--advisor-target-scan-time", "0"], "advisor_target_scan_time 0 is below the kernel's minimum of 1"),
            (["--smart-scan", "2"], "--smart-scan 2: the kernel takes 0 or 1"),
            (["--merge-across-nodes", "3"], "--merge-across-nodes 3: the kernel takes 0 or 1"),
            (["--pages-to-scan", "0"], "pages_to_scan 0 would keep ksmd from scanning any page"),
            (["--sleep-millisecs=-5"], "sleep_millisecs -5 is negative"),
            (["--hz", "200"], "HZ 200 is not a kernel choice"),
            (["--full-scans", "3", "--seconds", "2"], "give --full-scans or --seconds, not both"),
            (["--timeline", "g=a,b"], "--timeline needs --step-scans K"),
            (["--kernel", "6.9"], "6.9"),
        ])
    func invalidOptions(arguments: [String], message: String) throws {
        let folder = try TemporaryFolder()
        let image = try folder.write("g.img", factory.page(1))
        let outcome = try CommandRunner.run(["simulate"] + arguments + [image])
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test("JSON: settings, one sample per full scan with the sysfs fields, images and summary")
    func json() throws {
        let folder = try TemporaryFolder()
        let first = try folder.write("a.img", factory.image([factory.page(1), factory.page(1), factory.page(2)]))
        let second = try folder.write("b.img", factory.image([factory.page(2), factory.page(0)]))
        let outcome = try CommandRunner.run([
            "simulate", "--format", "json", "--full-scans", "4", "--kernel", "6.10", first, second,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        for key in ["settings", "samples", "images", "summary"] { #expect(object[key] != nil, "\(key)") }
        let samples = try #require(object["samples"] as? [[String: Any]])
        #expect(samples.count == 4)
        for field in [
            "t_seconds", "full_scans", "pages_scanned", "pages_shared", "pages_sharing", "pages_unshared",
            "pages_volatile",
            "pages_skipped", "ksm_zero_pages", "stable_node_chains", "stable_node_dups", "general_profit",
            "ksmd_cpu_seconds",
        ] {
            #expect(samples[0][field] != nil, "\(field)")
        }
        #expect(samples[3]["pages_sharing"] as? Int == 2)
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images.count == 2)
        for field in ["ksm_rmap_items", "ksm_merging_pages", "ksm_zero_pages", "ksm_process_profit"] {
            #expect(images[0][field] != nil, "\(field)")
        }
        let settings = try #require(object["settings"] as? [String: Any])
        #expect(settings["kernel"] as? String == "6.10")
        let tunables = try #require(settings["tunables"] as? [String: Any])
        #expect(tunables["max_page_sharing"] as? Int == 256)
        let summary = try #require(object["summary"] as? [String: Any])
        let milestones = try #require(summary["milestones"] as? [[String: Any]])
        #expect(milestones.map { $0["percent"] as? Int } == [50, 90, 99, 100])
    }

    @Test("a --timeline run with --step-scans gives steps; csv gives the samples table")
    func timelineAndCSV() throws {
        let folder = try TemporaryFolder()
        let t0 = try folder.write("g.t0.img", factory.image([factory.page(1), factory.page(1), factory.page(2)]))
        let t1 = try folder.write("g.t1.img", factory.image([factory.page(1), factory.page(3), factory.page(2)]))
        let other = try folder.write("h.img", factory.image([factory.page(2)]))
        let json = try CommandRunner.run(
            [
                "simulate", "--format", "json", "--timeline", "g=\(t0),\(t1)", "--step-scans", "2", "--smart-scan", "0",
                other,
            ])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.count == 2)
        #expect(steps[1]["start_full_scans"] as? Int == 2)
        #expect((object["samples"] as? [Any])?.count == 4)
        let summary = try #require(object["summary"] as? [String: Any])
        let churn = try #require(summary["churn"] as? [String: Any])
        #expect(churn["cow_breaks"] as? Int == 1)

        let csv = try CommandRunner.run(["simulate", "--format", "csv", "--full-scans", "3", other, t0])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("t_seconds,full_scans,pages_scanned,pages_shared,pages_sharing"))

        let text = try CommandRunner.run(["simulate", "--full-scans", "2", "--quiet", t0])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Summary"))
    }

    @Test("a missing image is one line on stderr and exit status 1")
    func missingImage() throws {
        let outcome = try CommandRunner.run(["simulate", "/nonexistent/guest.img"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "ksmscope: /nonexistent/guest.img: no such file or folder\n")
    }
}
