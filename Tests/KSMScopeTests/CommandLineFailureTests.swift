import Foundation
import Testing

@testable import KSMScope

/// What a user meets when something goes wrong: every failure is one line on standard error
/// naming the problem and a non-zero exit status, and output that cannot be written is an error.
@Suite("ksmscope failures a user meets", .executable)
struct CommandLineFailureTests {
    let factory = PageFactory(pageSize: 4096)

    /// Runs `ksmscope` with standard output sent to `/dev/full` (or closed when nil); returns
    /// the exit status and standard error.
    static func run(_ arguments: [String], standardOutput path: String?) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        if let path {
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } else {
            // Run through a shell that closes descriptor 1 first.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec \"$0\" \"$@\" >&-", CommandRunner.executable] + arguments
        }
        try process.run()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    @Test("output that cannot be written is an error, for every command and format", arguments: [
        ["scan", "--format", "text"], ["scan", "--format", "json"], ["scan", "--format", "csv"],
        ["simulate", "--full-scans", "2", "--format", "text"], ["simulate", "--full-scans", "2", "--format", "json"],
        ["simulate", "--full-scans", "2", "--format", "csv"],
    ])
    func unwritableOutput(arguments: [String]) throws {
        let folder = try TemporaryFolder()
        let image = try folder.write("a.img", factory.image([factory.page(1), factory.page(1), factory.page(0)]))
        for destination in ["/dev/full", nil] as [String?] {
            let outcome = try Self.run(arguments + ["--quiet", image], standardOutput: destination)
            #expect(outcome.status == 1, "\(arguments) > \(destination ?? "closed"): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("ksmscope: cannot write standard output: "), "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        }
    }

    @Test("generate's summary that cannot be written is an error")
    func unwritableGenerateSummary() throws {
        let folder = try TemporaryFolder()
        let outcome = try Self.run(
            ["generate", "--spec", Self.demoSpec, "--scale", "0.05", "--out", folder.path + "/set", "--quiet"],
            standardOutput: "/dev/full")
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.hasPrefix("ksmscope: cannot write standard output: "))
    }

    /// samples/demo.json in the source tree.
    static var demoSpec: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/demo.json").path
    }

    @Test("option errors are one line with exit status 64", arguments: [
        (["scan", "--threads", "-1", "x.img"], "--threads -1: must be at least 1"),
        (["scan", "--threads", "0", "x.img"], "--threads 0: must be at least 1"),
        (["scan", "--max-page-sharing", "1", "x.img"], "max_page_sharing 1 is below the kernel's minimum of 2"),
        (["scan", "--page-size", "3000", "x.img"], "--page-size"),
        (["simulate", "--timeline", "a=one.img", "--step-scans", "1"], "a timeline needs at least two snapshots"),
        (["simulate", "--sleep-millisecs", "-5", "x.img"], "sleep_millisecs -5 is negative"),
        (["generate", "--spec", "s.json", "--out", "o", "--threads", "-2"], "--threads -2: must be at least 1"),
        (["verify-kernel"], "name at least one image file or folder, timeline.json or --timeline"),
        (["verify-kernel", "--timeline", "g=a.img"], "a timeline needs at least two snapshots"),
        (["calibrate", "--repeat", "0"], "--repeat must be from 1 to 10 passes (got 0)"),
        (["calibrate", "--repeat", "11", "--quick"], "--repeat must be from 1 to 10 passes (got 11)"),
    ])
    func optionErrors(arguments: [String], message: String) throws {
        let outcome = try CommandRunner.run(arguments)
        #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.hasPrefix("ksmscope: "), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
    }

    @Test("explicit manifests say what they are and what to pass instead")
    func explicitManifests() throws {
        let folder = try TemporaryFolder()
        let generate = try CommandRunner.run([
            "generate", "--spec", Self.demoSpec, "--scale", "0.05", "--out", folder.path + "/set", "--timeline", "1",
            "--quiet",
        ])
        try #require(generate.status == 0, "\(generate.stderr)")
        let expected = folder.path + "/set/expected.json"
        for arguments in [["scan", expected], ["simulate", expected], ["verify-kernel", expected]] {
            let outcome = try CommandRunner.run(arguments)
            #expect(outcome.status == 1, "\(arguments)")
            #expect(outcome.stderr.contains("expected-counts manifest, not a memory image"), "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
        let timeline = try CommandRunner.run(["scan", folder.path + "/set/timeline.json"])
        #expect(timeline.status == 1)
        #expect(timeline.stderr.contains("timeline manifest, not a memory image: pass it to 'ksmscope simulate'"))
        // simulate takes the timeline manifest itself.
        let simulated = try CommandRunner.run(["simulate", folder.path + "/set/timeline.json", "--quiet"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
    }

    @Test("generate names the tunables its expected counts are for in the scan command it suggests")
    func generateSuggestsMatchingScan() throws {
        let folder = try TemporaryFolder()
        let out = folder.path + "/set"
        let generate = try CommandRunner.run([
            "generate", "--spec", Self.demoSpec, "--scale", "0.05", "--out", out, "--max-page-sharing", "3",
            "--use-zero-pages", "--quiet",
        ])
        try #require(generate.status == 0, "\(generate.stderr)")
        let line = try #require(generate.stdout.split(separator: "\n").first { $0.hasPrefix("check with: ") })
        #expect(line.contains("ksmscope scan --max-page-sharing 3 --use-zero-pages \(out)/*.img"), "\(line)")
        // Running what it suggests (the shell's glob expanded here) finds expected.json's counts.
        let images = try imageFiles(out).map { out + "/" + $0 }
        let scan = try CommandRunner.run(["scan", "--max-page-sharing", "3", "--use-zero-pages", "--format", "json"] + images)
        try #require(scan.status == 0, "\(scan.stderr)")
        let report = try JSONDecoder().decode(ScanReport.self, from: Data(scan.stdout.utf8))
        expectMatch(report, try readExpected(out).sets[0])
    }

    @Test("a spec that is not JSON names the file, the line and the column")
    func specSyntaxError() throws {
        let folder = try TemporaryFolder()
        let spec = try folder.write("bad.json", Array("{\n  \"os\": [1, 2,\n  }\n".utf8))
        let outcome = try CommandRunner.run(["generate", "--spec", spec, "--out", folder.path + "/set"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.hasPrefix("ksmscope: \(spec): "), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("line 3, column 3"), "\(outcome.stderr)")
    }

    @Test("generate into a folder nothing can be created in says so, not that the disk is full")
    func unwritableOutFolder() throws {
        let outcome = try CommandRunner.run(["generate", "--spec", Self.demoSpec, "--out", "/proc/ksmscope-set"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("/proc: cannot create the output folder here"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("free"))
    }

    @Test("--costs problems name the file")
    func costsFile() throws {
        let folder = try TemporaryFolder()
        let image = try folder.write("a.img", factory.page(1))
        let costs = try folder.write("costs.json", Array("{\"checksum_ns\": -1}".utf8))
        let outcome = try CommandRunner.run(["simulate", "--costs", costs, image])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "ksmscope: \(costs): cost profile: 'checksum_ns' must be a finite number of nanoseconds, at least 0\n")
        let missing = try CommandRunner.run(["simulate", "--costs", folder.path + "/none.json", image])
        #expect(missing.stderr == "ksmscope: \(folder.path)/none.json: cannot read the cost profile\n")
    }

    @Test("scan --domains: the text table has the domain column the CSV has")
    func domainColumn() throws {
        let folder = try TemporaryFolder()
        let first = try folder.write("a.img", factory.image([factory.page(1), factory.page(2)]))
        let second = try folder.write("b.img", factory.image([factory.page(1), factory.page(3)]))
        let domains = try folder.write("domains", Array("a.img red\nb.img blue\n".utf8))
        let outcome = try CommandRunner.run(["scan", "--domains", domains, first, second])
        #expect(outcome.status == 0)
        let header = try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("image ") })
        #expect(header.split(separator: " ", omittingEmptySubsequences: true).prefix(2) == ["image", "domain"])
        #expect(outcome.stdout.split(separator: "\n").contains { $0.hasPrefix(first) && $0.contains(" red ") })
        let plain = try CommandRunner.run(["scan", first, second])
        #expect(!plain.stdout.contains("domain"))
    }

    @Test("timelines whose snapshots differ in size are refused before the kernel is touched")
    func unequalSnapshots() throws {
        let folder = try TemporaryFolder()
        let small = try folder.write("small.img", factory.image([factory.page(1)]))
        let large = try folder.write("large.img", factory.image([factory.page(1), factory.page(2)]))
        let snapshots = try ImagePaths.open([small, large], pageSize: .default)
        #expect(throws: TimelineError.unequalSnapshots(guest: small, pages: [1, 2])) {
            try TimelineVerifier().verify(guests: [snapshots], tunables: .defaults)
        }
        #expect(throws: TimelineError.unequalSnapshots(guest: small, pages: [1, 2])) {
            try KernelTimelineRun().run(guests: [snapshots], tunables: .defaults)
        }
        let outcome = try CommandRunner.run(["verify-kernel", "--timeline", "g=\(small),\(large)"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("its snapshots have different page counts (1, 2)"), "\(outcome.stderr)")
    }

    @Test("simulate and tune: --sample refused, a state beyond --memory-limit refused, one line each")
    func simulationAtAnySize() throws {
        let folder = try TemporaryFolder()
        let image = try folder.write("a.img", factory.image([factory.page(1), factory.page(1), factory.page(0)]))
        for command in ["simulate", "tune"] {
            let outcome = try CommandRunner.run([command, "--sample", "1/4", "--quiet", image])
            #expect(outcome.status == 64, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("--sample: \(command) needs every page"), "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        }
        // 25,600 pages (a sparse file: holes are zero pages, never read) × 48 bytes of simulator
        // state exceed a 1 MiB limit.
        let large = folder.path + "/large.img"
        #expect(FileManager.default.createFile(atPath: large, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: large))
        try handle.truncate(atOffset: 100 << 20)
        try handle.close()
        for command in ["simulate", "tune"] {
            let outcome = try CommandRunner.run([command, "--memory-limit", "1M", "--quiet", large])
            #expect(outcome.status == 1, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("simulating ksmd needs every page in memory: 25600 pages"), "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        }
        // Within the limit the answer is the one without it.
        let bounded = try CommandRunner.run(["simulate", "--memory-limit", "1M", "--full-scans", "2", "--format", "json", "--quiet", image])
        let free = try CommandRunner.run(["simulate", "--full-scans", "2", "--format", "json", "--quiet", image])
        #expect(bounded.status == 0 && bounded.stdout == free.stdout, "\(bounded.stderr)")
    }
}
