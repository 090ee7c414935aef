import Foundation
import Testing

@testable import KSMScope

/// Replays the inputs the fuzzers once crashed on (Tests/KSMScopeTests/FuzzRegressions/).
@Suite("Fuzz regressions")
struct FormatFuzzRegressionTests {
    /// The folder of saved inputs, beside this file.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "FuzzRegressions"
    ).path

    /// Opens `path` with the parser a fuzz target exercises.
    static func open(_ target: String, _ path: String, pageSize: PageSize, keepGoing: Bool) throws -> any PageSource {
        switch target {
        case "elf": try ElfCoreImage(path: path, pageSize: pageSize, keepGoing: keepGoing)
        case "kdump": try KdumpImage(path: path, pageSize: pageSize)
        case "lime": try LimeImage(path: path, pageSize: pageSize)
        default: try ImageFormat.open(path, pageSize: pageSize, keepGoing: keepGoing)
        }
    }

    @Test(
        "every saved input opens and scans, or fails with a DumpError or ImageError",
        arguments: ["elf", "kdump", "lime", "detect"])
    func replay(target: String) throws {
        let folder = Self.folder + "/" + target
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        try #require(!names.isEmpty, "\(folder) holds no inputs: this case would check nothing")
        let pageSize = try PageSize(bytes: 512)
        for name in names {
            for keepGoing in [false, true] {
                do {
                    let image = try Self.open(target, folder + "/" + name, pageSize: pageSize, keepGoing: keepGoing)
                    let configuration = ScanConfiguration(pageSize: pageSize, threads: 2, keepGoing: keepGoing)
                    let report = try SteadyStateScan(configuration: configuration).run([image])
                    #expect(report.pages + report.unreadablePages == image.pageCount, "\(target)/\(name)")
                } catch let error as DumpError {
                    // A miscompiled ("phantom") throw would surface as a garbage error.
                    #expect(error.description.hasPrefix(folder + "/" + name + ": offset "), "\(target)/\(name)")
                } catch is ImageError {
                } catch {
                    Issue.record("\(target)/\(name): unexpected \(type(of: error)): \(error)")
                }
            }
        }
    }
}
