import Testing

@testable import KSMScope

@Suite("SteadyStateScan against the brute-force reference")
struct SteadyStateScanTests {
    static let boundaryCopies = [1, 2, 255, 256, 257, 258, 511, 512, 513]

    @Test("copy counts around max_page_sharing", arguments: boundaryCopies, [false, true])
    func copiesAroundMaxPageSharing(copies: Int, useZeroPages: Bool) throws {
        let factory = PageFactory(pageSize: 4096)
        // The content itself, the same number of zero pages, and a few unique pages.
        let images = mixedImages(factory: factory, copies: [copies], zeroPages: copies, uniquePages: 5, imageCount: 3, seed: UInt64(copies))
        let fixture = try ScanFixture(images)
        let report = try fixture.scan(useZeroPages: useZeroPages)
        let differences = fixture.reference(useZeroPages: useZeroPages).differences(from: report)
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test("the kernel's worked examples: 8192, 257, 258 and 513 copies")
    func kernelExamples() throws {
        let factory = PageFactory(pageSize: 512)
        for (copies, shared, sharing, chains, dups) in [
            (8192, 32, 8160, 1, 32), (257, 1, 255, 0, 0), (258, 2, 256, 1, 2), (513, 2, 510, 1, 2),
        ] {
            let fixture = try ScanFixture([factory.image(Array(repeating: factory.page(7), count: copies))])
            let report = try fixture.scan(pageSize: 512)
            #expect(report.pagesShared == shared, "copies \(copies)")
            #expect(report.pagesSharing == sharing, "copies \(copies)")
            #expect(report.stableNodeChains == chains, "copies \(copies)")
            #expect(report.stableNodeDups == dups, "copies \(copies)")
            #expect(report.pagesUnmerged == copies - shared - sharing, "copies \(copies)")
        }
    }

    @Test("many images, near-duplicates and small max_page_sharing", arguments: [2, 3, 4, 256], [1, 2, 3, 7])
    func manyImages(maxPageSharing: Int, threads: Int) throws {
        let factory = PageFactory(pageSize: 512)
        var images = mixedImages(
            factory: factory, copies: [1, 2, 3, 4, 5, 8, 9, 13, 40, 97], zeroPages: 61, uniquePages: 50, imageCount: 12,
            seed: 42)
        // Near-duplicates: content 5 with one byte changed at the first, middle and last byte.
        images[3] += factory.nearDuplicate(of: 5, at: 0) + factory.nearDuplicate(of: 5, at: 255)
        images[7] += factory.nearDuplicate(of: 5, at: 511) + factory.nearDuplicate(of: 5, at: 0)
        let fixture = try ScanFixture(images)
        for useZeroPages in [false, true] {
            let report = try fixture.scan(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: 512, threads: threads)
            let differences = fixture.reference(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: 512)
                .differences(from: report)
            #expect(differences.isEmpty, "\(differences)")
        }
    }

    @Test("near-duplicates differing in one byte never merge")
    func nearDuplicatesStayApart() throws {
        let factory = PageFactory(pageSize: 4096)
        let pages = [factory.page(9)] + (0..<8).map { factory.nearDuplicate(of: 9, at: $0 * 511) }
        let fixture = try ScanFixture([factory.image(pages), factory.image(pages)])
        let report = try fixture.scan()
        #expect(report.distinctContents == 9)
        #expect(report.pagesShared == 9)
        #expect(report.pagesSharing == 9)
        #expect(report.images.allSatisfy { $0.crossSharedPages == 9 && $0.selfSharedPages == 0 })
    }

    @Test("the result does not depend on the number of threads")
    func threadsAgree() throws {
        let factory = PageFactory(pageSize: 512)
        let images = mixedImages(factory: factory, copies: Array(1...60), zeroPages: 300, uniquePages: 700, imageCount: 5, seed: 3)
        let fixture = try ScanFixture(images)
        let single = try fixture.scan(pageSize: 512, threads: 1)
        for threads in [2, 3, 4, 8, 16] {
            #expect(try fixture.scan(pageSize: 512, threads: threads) == single)
        }
    }

    @Test("a trailing partial page is ignored bytes, not a page")
    func trailingBytes() throws {
        let factory = PageFactory(pageSize: 4096)
        let fixture = try ScanFixture([factory.image([factory.page(1), factory.page(1)]) + [1, 2, 3], factory.page(1)])
        let report = try fixture.scan()
        #expect(report.pages == 3)
        #expect(report.ignoredBytes == 3)
        #expect(report.images.map(\.ignoredBytes) == [3, 0])
        #expect(report.pagesSharing == 2)
    }

    @Test("self-shared and cross-shared pages")
    func selfAndCrossSharing() throws {
        let factory = PageFactory(pageSize: 4096)
        let a = factory.image([factory.page(1), factory.page(1), factory.page(2), factory.page(3), factory.page(0)])
        let b = factory.image([factory.page(2), factory.page(4), factory.page(0), factory.page(0)])
        let report = try ScanFixture([a, b]).scan()
        #expect(report.images[0].selfSharedPages == 2)
        #expect(report.images[0].crossSharedPages == 2)  // content 2 and the zero page
        #expect(report.images[0].uniquePages == 1)
        #expect(report.images[1].crossSharedPages == 3)
        #expect(report.images[1].uniquePages == 1)
        #expect(report.zeroPages == 3)
    }

    @Test("the domain policy merges only inside each domain")
    func domainPolicy() throws {
        let factory = PageFactory(pageSize: 4096)
        let shared = factory.image(Array(repeating: factory.page(1), count: 3))
        let fixture = try ScanFixture([shared, shared, shared, shared])
        let report = try fixture.scan(domains: [("guest-00[01].img", "tenant-a"), ("*-002.img", "tenant-b")])
        #expect(report.images.map(\.domain) == ["tenant-a", "tenant-a", "tenant-b", fixture.paths[3]])
        // tenant-a: 6 copies save 5; tenant-b: 3 save 2; the unmatched image alone: 3 save 2.
        #expect(report.policies.domain == 9 * 4096)
        #expect(report.policies.all == 11 * 4096)
        #expect(report.policies.intraImage == 8 * 4096)
    }
}
