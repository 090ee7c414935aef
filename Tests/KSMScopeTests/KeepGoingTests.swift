import Testing

@testable import KSMScope

/// A source over in-memory pages whose listed pages fail to read, as a corrupt dump's would.
struct FlakySource: PageSource {
    let path: String
    let pageSize: PageSize
    let pages: [[UInt8]]
    let corrupt: Set<Int>
    var pageCount: Int { pages.count }
    var ignoredBytes: Int { 0 }

    func makeReader() -> any PageReader { Reader(source: self) }

    final class Reader: PageReader {
        let source: FlakySource
        var scratch: [UInt8] = []
        init(source: FlakySource) { self.source = source }

        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            guard !source.corrupt.contains(index) else {
                throw DumpError(path: source.path, offset: index * 100, problem: "corrupt page", skippable: true)
            }
            scratch = source.pages[index]
            return scratch.withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) }
        }
    }
}

@Suite("--keep-going")
struct KeepGoingTests {
    let factory = PageFactory(pageSize: 512)

    func source(_ corrupt: Set<Int>) throws -> FlakySource {
        let pages = [factory.page(1), factory.page(1), factory.page(2), factory.page(0), factory.page(1), factory.page(2)]
        return FlakySource(path: "flaky.img", pageSize: try PageSize(bytes: 512), pages: pages, corrupt: corrupt)
    }

    @Test("a corrupt page stops the scan with the file and offset")
    func stops() throws {
        let scan = SteadyStateScan(configuration: ScanConfiguration(pageSize: try PageSize(bytes: 512)))
        #expect(throws: DumpError(path: "flaky.img", offset: 400, problem: "corrupt page", skippable: true)) {
            try scan.run([try source([4])])
        }
    }

    @Test("with keep-going, corrupt pages are left out and counted", arguments: [1, 2])
    func skips(threads: Int) throws {
        let configuration = ScanConfiguration(pageSize: try PageSize(bytes: 512), threads: threads, keepGoing: true)
        let report = try SteadyStateScan(configuration: configuration).run([try source([1, 4]), try source([])])
        #expect(report.unreadablePages == 2)
        #expect(report.images.map(\.unreadablePages) == [2, 0])
        #expect(report.images.map(\.pages) == [4, 6])
        #expect(report.pages == 10)
        // Content 1: 1 + 3 copies, content 2: 2 + 2, zero: 1 + 1.
        #expect(report.pagesSharing == 3 + 3 + 1)
        #expect(report.zeroPages == 2)
    }
}
