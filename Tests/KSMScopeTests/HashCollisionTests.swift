import Testing

@testable import KSMScope

@Suite("Byte verification under colliding hashes")
struct HashCollisionTests {
    /// Every page collides with every other.
    static let constant = PageHashFunction(name: "constant") { _ in 42 }
    /// Pages collide when their first byte is equal: some contents collide, some do not.
    static let firstByte = PageHashFunction(name: "first-byte") { UInt64($0[0]) }

    @Test("a constant hash gives the same report as XXH64", arguments: [1, 2, 3])
    func constantHash(threads: Int) throws {
        let factory = PageFactory(pageSize: 512)
        // More than ContentGrouper.contentsBeforeSorting contents in one run exercises the sort.
        let images = mixedImages(factory: factory, copies: Array(repeating: 3, count: 40) + [9, 300], zeroPages: 20, uniquePages: 30, imageCount: 4, seed: 11)
        let fixture = try ScanFixture(images)
        for useZeroPages in [false, true] {
            var expected = try fixture.scan(maxPageSharing: 4, useZeroPages: useZeroPages, pageSize: 512, threads: threads)
            let colliding = try fixture.scan(maxPageSharing: 4, useZeroPages: useZeroPages, pageSize: 512, threads: threads, hash: Self.constant)
            expected.hash = colliding.hash
            #expect(colliding == expected)
            let differences = fixture.reference(maxPageSharing: 4, useZeroPages: useZeroPages, pageSize: 512).differences(from: colliding)
            #expect(differences.isEmpty, "\(differences)")
        }
    }

    @Test("few contents per colliding hash: the representative path")
    func firstByteHash() throws {
        let factory = PageFactory(pageSize: 512)
        let images = mixedImages(factory: factory, copies: Array(1...30), zeroPages: 10, uniquePages: 10, imageCount: 3, seed: 5)
        let fixture = try ScanFixture(images)
        let report = try fixture.scan(maxPageSharing: 3, pageSize: 512, hash: Self.firstByte)
        let differences = fixture.reference(maxPageSharing: 3, pageSize: 512).differences(from: report)
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test("a non-zero page that collides with the zero page's hash is not a zero page")
    func zeroHashCollision() throws {
        let factory = PageFactory(pageSize: 512)
        let fixture = try ScanFixture([factory.image([factory.page(0), factory.page(3), factory.page(0), factory.page(3)])])
        let report = try fixture.scan(useZeroPages: true, pageSize: 512, hash: Self.constant)
        #expect(report.zeroPages == 2)
        #expect(report.ksmZeroPages == 2)
        #expect(report.pagesShared == 1)
        #expect(report.pagesSharing == 1)
    }
}
