import Foundation
import Testing

@testable import KSMScope

@Suite("ImagePaths and bad input")
struct ImagePathsTests {
    @Test("a folder expands to its regular files sorted by name")
    func folderOrder() throws {
        let folder = try TemporaryFolder()
        for name in ["b.img", "a.img", ".hidden", "c.raw"] { try folder.write(name, [UInt8](repeating: 1, count: 4096)) }
        try FileManager.default.createDirectory(atPath: folder.path + "/sub", withIntermediateDirectories: false)
        let files = try ImagePaths.expand([folder.path])
        #expect(files.map { ($0 as NSString).lastPathComponent } == [".hidden", "a.img", "b.img", "c.raw"])
    }

    @Test("a folder's ksmscope manifests are not images")
    func manifestsSkipped() throws {
        let folder = try TemporaryFolder()
        try folder.write("a.img", [UInt8](repeating: 1, count: 4096))
        try folder.write("expected.json", Array("{\n  \"format\" : \"ksmscope-expected/1\",\n  \"seed\" : 1\n}\n".utf8))
        try folder.write("timeline.json", Array("{\"format\":\"ksmscope-timeline/1\"}".utf8))
        try folder.write("other.json", Array("{\"format\":\"something-else\"}".utf8))
        let files = try ImagePaths.expand([folder.path])
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["a.img", "other.json"])
        // Named directly, a manifest is refused with a line saying what it is (a shell glob such
        // as DIR/* names it along with the images).
        #expect(throws: ImageError.manifest(path: folder.path + "/expected.json", kind: .expected)) {
            try ImagePaths.expand([folder.path + "/expected.json"])
        }
        #expect(throws: ImageError.manifest(path: folder.path + "/timeline.json", kind: .timeline)) {
            try ImagePaths.expand([folder.path + "/timeline.json"])
        }
        #expect(try ImagePaths.expand([folder.path + "/other.json"]).count == 1)
        #expect(ImageError.manifest(path: "x", kind: .expected).description.contains("not a memory image"))
    }

    @Test("a symbolic link loop is named as one, not as a missing file")
    func symlinkLoop() throws {
        let folder = try TemporaryFolder()
        let first = folder.path + "/loop1"
        let second = folder.path + "/loop2"
        try FileManager.default.createSymbolicLink(atPath: first, withDestinationPath: second)
        try FileManager.default.createSymbolicLink(atPath: second, withDestinationPath: first)
        #expect(throws: ImageError.cannotAccess(path: first, reason: String(cString: strerror(ELOOP)))) {
            try ImagePaths.expand([first])
        }
    }

    @Test("bad paths give errors naming the path")
    func badPaths() throws {
        let folder = try TemporaryFolder()
        #expect(throws: ImageError.missing(path: folder.path + "/nope")) { try ImagePaths.expand([folder.path + "/nope"]) }
        #expect(throws: ImageError.emptyFolder(path: folder.path)) { try ImagePaths.expand([folder.path]) }
        #expect(throws: ImageError.notARegularFile(path: "/dev/null")) { try ImagePaths.expand(["/dev/null"]) }
        let empty = try folder.write("empty.img", [])
        #expect(throws: ImageError.emptyFile(path: empty)) { try ImagePaths.open([empty], pageSize: .default) }
        let short = try folder.write("short.img", [1, 2, 3])
        #expect(throws: ImageError.noWholePage(path: short, bytes: 3, pageSize: 4096)) {
            try ImagePaths.open([short], pageSize: .default)
        }
    }

    @Test("every error names its path in one line")
    func oneLineDescriptions() {
        let errors: [ImageError] = [
            .missing(path: "/x"), .cannotOpen(path: "/x", reason: "Permission denied"), .notARegularFile(path: "/x"),
            .emptyFolder(path: "/x"), .emptyFile(path: "/x"), .noWholePage(path: "/x", bytes: 3, pageSize: 4096),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("/x: "))
            #expect(!error.description.contains("\n"))
        }
    }
}
