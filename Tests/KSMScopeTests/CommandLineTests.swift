import Foundation
import Testing

@testable import KSMScope

@Suite("ksmscope command line", .serialized)
struct CommandLineTests {
    @Test("scan --format json has every contracted key", .executable)
    func jsonContract() throws {
        let factory = PageFactory(pageSize: 4096)
        let fixture = try ScanFixture([factory.image([factory.page(1), factory.page(1), factory.page(0)]), factory.page(1)])
        let outcome = try CommandRunner.run(["scan", "--format", "json", "--quiet", fixture.folder.path])
        #expect(outcome.status == 0)
        #expect(outcome.stderr.isEmpty)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        for key in [
            "page_size", "pages", "zero_pages", "distinct_contents", "pages_shared", "pages_sharing", "pages_unmerged",
            "ksm_zero_pages", "stable_node_chains", "stable_node_dups", "general_profit", "saved_bytes", "images", "policies",
        ] {
            #expect(object[key] != nil, "missing key \(key)")
        }
        let images = try #require(object["images"] as? [[String: Any]])
        #expect(images.count == 2)
        for key in [
            "path", "pages", "zero_pages", "self_shared_pages", "cross_shared_pages", "ignored_bytes", "ksm_rmap_items",
            "ksm_merging_pages", "ksm_zero_pages", "ksm_process_profit",
        ] {
            #expect(images[0][key] != nil, "missing image key \(key)")
        }
        let policies = try #require(object["policies"] as? [String: Any])
        #expect(Set(policies.keys) == ["all", "intra_image", "zero_only"])
        #expect(object["pages_sharing"] as? Int == 2)
    }

    @Test("scan --format csv prints the per-image table", .executable)
    func csv() throws {
        let factory = PageFactory(pageSize: 4096)
        let fixture = try ScanFixture([factory.page(1), factory.page(1)])
        let outcome = try CommandRunner.run(["scan", "--format", "csv", fixture.folder.path])
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == ScanReport.csvColumns.joined(separator: ",")[...])
    }

    @Test("bad input: one line naming the problem, non-zero exit", .executable)
    func badInput() throws {
        let folder = try TemporaryFolder()
        let empty = try folder.write("empty.img", [])
        let emptyFolder = folder.path + "/nothing"
        try FileManager.default.createDirectory(atPath: emptyFolder, withIntermediateDirectories: false)
        let cases: [([String], String)] = [
            (["scan", folder.path + "/missing.img"], "missing.img: no such file or folder"),
            (["scan", emptyFolder], "nothing: folder holds no regular files"),
            (["scan", empty], "empty.img: file is empty"),
            (["scan", "--page-size", "3000", empty], "--page-size"),
            (["scan", "--page-size", "256", empty], "--page-size"),
            (["scan", "--max-page-sharing", "1", empty], "--max-page-sharing"),
            (["scan", "--threads", "0", empty], "--threads"),
            (["scan"], "at least one image"),
        ]
        for (arguments, message) in cases {
            let outcome = try CommandRunner.run(arguments)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stdout.isEmpty, "\(arguments)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.contains("Fatal error"), "\(arguments)")
            #expect(outcome.stderr.split(separator: "\n").first.map { $0.contains(message) } == true, "\(arguments)")
        }
    }

    @Test(
        "an unreadable file names the path",
        .executable, .privilegeDrop
    )
    func unreadableFile() throws {
        let folder = try TemporaryFolder()
        let secret = try folder.write("secret.img", [UInt8](repeating: 7, count: 8192))
        chmod(folder.path, 0o755)
        chmod(secret, 0o000)
        let outcome = try CommandRunner.run(["scan", secret], asUser: 65534)
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "ksmscope: \(secret): cannot read: Permission denied\n")
    }
}
