import CXXHash
import Testing

@testable import KSMScope

@Suite("ContentMap")
struct ContentMapTests {
    @Test("equal ids exactly for equal bytes, dense in first-appearance order", arguments: [1, 2, 3])
    func identity(threads: Int) throws {
        let factory = PageFactory(pageSize: 512)
        let images = mixedImages(factory: factory, copies: [1, 2, 3, 7, 20], zeroPages: 9, uniquePages: 15, imageCount: 3, seed: 9)
        let fixture = try ScanFixture(images)
        let sources = try ImagePaths.open(fixture.paths, pageSize: try PageSize(bytes: 512))
        let map = try ContentMap.build(sources, configuration: ScanConfiguration(pageSize: try PageSize(bytes: 512), threads: threads))
        let pages = images.flatMap { image in stride(from: 0, to: image.count, by: 512).map { Array(image[$0..<$0 + 512]) } }
        #expect(map.contentOfPage.count == pages.count)
        var idOfBytes: [[UInt8]: UInt32] = [:]
        for (page, bytes) in pages.enumerated() {
            let id = map.contentOfPage[page]
            if let known = idOfBytes[bytes] {
                #expect(known == id)
            } else {
                #expect(Int(id) == idOfBytes.count, "ids are dense in order of first appearance")
                idOfBytes[bytes] = id
            }
            let expected = UInt32(truncatingIfNeeded: bytes.withUnsafeBytes { XXH64($0.baseAddress, $0.count, 0) })
            #expect(map.checksum[Int(id)] == expected)
            #expect(map.isZero[Int(id)] == bytes.allSatisfy { $0 == 0 })
        }
        #expect(map.contentCount == idOfBytes.count)
    }

    @Test("other hashes and keep-going are refused")
    func refusals() throws {
        #expect(throws: ContentMapError.needsXXH64) {
            try ContentMap.build([], configuration: ScanConfiguration(hash: PageHashFunction(name: "other") { _ in 1 }))
        }
        #expect(throws: ContentMapError.cannotKeepGoing) { try ContentMap.build([], configuration: ScanConfiguration(keepGoing: true)) }
    }
}
