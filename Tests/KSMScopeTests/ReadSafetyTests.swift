#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

@testable import KSMScope

/// What a scan does with hostile or changing files: bounds in every build, files truncated
/// while mapped, sparse files, and the page cache it leaves behind.
@Suite("Read safety: bounds, truncation, holes, page cache")
struct ReadSafetyTests {
    let factory = PageFactory(pageSize: 4096)

    @Test("a raw image's reader refuses pages outside the image")
    func rawBounds() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("a.img", factory.image([factory.page(1), factory.page(2)]))
        let reader = try RawImage(path: path, pageSize: .default).makeReader()
        #expect(try reader.page(1).count == 4096)
        #expect(throws: ImageError.pageOutOfRange(path: path, page: 2, pageCount: 2)) { try reader.page(2) }
        #expect(throws: ImageError.pageOutOfRange(path: path, page: -1, pageCount: 2)) { try reader.page(-1) }
    }

    @Test("a file truncated after it was mapped fails the scan with one error naming it, no SIGBUS")
    func truncatedWhileMapped() throws {
        let folder = try TemporaryFolder()
        let pages = (1...512).map { factory.page(UInt64($0)) }
        let path = try folder.write("shrinking.img", factory.image(pages))
        let other = try folder.write("other.img", factory.image([factory.page(1)]))
        let images = try ImagePaths.open([other, path], pageSize: .default)
        #expect(truncate(path, 4096) == 0)
        #expect(throws: ImageError.truncatedWhileReading(path: path)) {
            _ = try SteadyStateScan(configuration: .init(threads: 2)).run(images)
        }
        // The process lives on and a fresh scan of the shortened file works.
        let report = try SteadyStateScan().run(paths: [other, path])
        #expect(report.pages == 2 && report.pagesSharing == 1)
    }

    @Test("holes of a sparse file are zero pages, counted without reading, same report as dense")
    func sparseEqualsDense() throws {
        let folder = try TemporaryFolder()
        // 64 MiB sparse with a few data pages, and the same bytes written densely.
        let sparse = folder.path + "/sparse.img"
        #expect(FileManager.default.createFile(atPath: sparse, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: sparse))
        var densePages = [[UInt8]](repeating: factory.page(0), count: 16384)
        for (index, page) in [0, 5, 4095, 9000].enumerated() {
            try handle.seek(toOffset: UInt64(page) * 4096)
            try handle.write(contentsOf: Data(factory.page(UInt64(index % 2 + 1))))
            densePages[page] = factory.page(UInt64(index % 2 + 1))
        }
        try handle.truncate(atOffset: 64 << 20)
        try handle.close()
        let image = try RawImage(path: sparse, pageSize: .default)
        #expect(image.zeroPageRuns.reduce(0) { $0 + $1.count } >= 16384 - 4 * 16)
        let dense = try folder.write("dense.img", factory.image(densePages))
        for threads in [1, 2, 3] {
            let configuration = ScanConfiguration(threads: threads)
            var fromSparse = try SteadyStateScan(configuration: configuration).run(paths: [sparse])
            fromSparse.images[0].path = dense
            #expect(fromSparse == (try SteadyStateScan(configuration: configuration).run(paths: [dense])))
        }
    }

    @Test("a 1 TiB sparse file (truncate -s 1T) is 2^28 zero pages, never read")
    func terabyteHole() throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/huge.img"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 1 << 40) == 0)
        let report = try SteadyStateScan().run(paths: [path])
        #expect(report.pages == 1 << 28 && report.zeroPages == 1 << 28 && report.distinctContents == 1)
        #expect(report.pagesSharing == KSMPageFill(copies: 1 << 28, maxPageSharing: 256).sharing)
    }

    @Test("a scan drops what it read from the page cache, unless the file was cached before")
    func pageCache() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("cold.img", factory.image((1...2048).map { factory.page(UInt64($0)) }))
        // Out of the cache first (written pages must reach the disk before they can be dropped).
        try evict(path)
        #expect(try residentShare(path) < 0.5)
        _ = try SteadyStateScan().run(paths: [path])
        #expect(try residentShare(path) < 0.5)
        // Cached before: left as it was.
        _ = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try residentShare(path) > 0.9)
        _ = try SteadyStateScan().run(paths: [path])
        #expect(try residentShare(path) > 0.9)
    }

    private func evict(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        fdatasync(descriptor)
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// The share of the file's pages in the page cache now.
    private func residentShare(_ path: String) throws -> Double {
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        var status = stat()
        fstat(descriptor, &status)
        let size = Int(status.st_size)
        let base = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0))
        defer { munmap(base, size) }
        let pages = (size + 4095) / 4096
        var vector = [UInt8](repeating: 0, count: pages)
        #expect(mincore(base, size, &vector) == 0)
        return Double(vector.filter { $0 & 1 != 0 }.count) / Double(pages)
    }
}
