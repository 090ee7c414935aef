@testable import KSMScope

/// Writes images to a temporary folder and scans them.
struct ScanFixture {
    let images: [[UInt8]]
    let folder: TemporaryFolder
    let paths: [String]

    init(_ images: [[UInt8]]) throws {
        self.images = images
        folder = try TemporaryFolder()
        var paths: [String] = []
        for (index, image) in images.enumerated() {
            paths.append(try folder.write(String(format: "guest-%03d.img", index), image))
        }
        self.paths = paths
    }

    /// Scans the images with the given settings.
    func scan(
        maxPageSharing: Int = 256, useZeroPages: Bool = false, pageSize: Int = 4096, threads: Int = 2,
        hash: PageHashFunction = .xxh64, domains: [(pattern: String, domain: String)]? = nil
    ) throws -> ScanReport {
        let configuration = ScanConfiguration(pageSize: try PageSize(bytes: pageSize), threads: threads, hash: hash)
        let tunables = try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
        return try SteadyStateScan(configuration: configuration, tunables: tunables, domainRules: domains).run(paths: paths)
    }

    /// What the brute-force reference says for the same settings.
    func reference(maxPageSharing: Int = 256, useZeroPages: Bool = false, pageSize: Int = 4096) -> BruteForceKSM.Result {
        BruteForceKSM(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages, pageSize: pageSize).run(images)
    }
}

/// Lays out contents with given copy counts over `imageCount` images in a shuffled,
/// deterministic order, plus zero and unique pages.
func mixedImages(
    factory: PageFactory, copies: [Int], zeroPages: Int = 0, uniquePages: Int = 0, imageCount: Int, seed: UInt64
) -> [[UInt8]] {
    var generator = SplitMix(state: seed)
    var pages: [[[UInt8]]] = Array(repeating: [], count: imageCount)
    for (content, count) in copies.enumerated() {
        let bytes = factory.page(UInt64(content + 1))
        for _ in 0..<count { pages[Int(generator.next() % UInt64(imageCount))].append(bytes) }
    }
    for _ in 0..<zeroPages { pages[Int(generator.next() % UInt64(imageCount))].append(factory.page(0)) }
    for unique in 0..<uniquePages {
        pages[Int(generator.next() % UInt64(imageCount))].append(factory.page(1_000_000 + UInt64(unique)))
    }
    return pages.map { image in factory.image(image.shuffled(using: &generator)) }
}
