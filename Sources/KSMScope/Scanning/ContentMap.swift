/// The identity of every scanned page's content: two pages have the same content id exactly
/// when their bytes are equal. What the KSM simulator runs on instead of page bytes.
///
/// Ids are dense, numbered in order of first appearance in scan order. Memory: 4 bytes a page
/// plus 5 bytes a distinct content.
public struct ContentMap: Sendable {
    /// Where each image's pages are in the global numbering.
    public let layout: ImageLayout
    /// The content id of each global page.
    public let contentOfPage: [UInt32]
    /// The kernel's KSM checksum of each content: the low 32 bits of XXH64 (seed 0).
    public let checksum: [UInt32]
    /// Whether each content is all zero bytes.
    public let isZero: [Bool]

    /// The number of distinct contents.
    public var contentCount: Int { checksum.count }

    /// Creates a map from its parts (tests build small ones by hand).
    public init(layout: ImageLayout, contentOfPage: [UInt32], checksum: [UInt32], isZero: [Bool]) {
        self.layout = layout
        self.contentOfPage = contentOfPage
        self.checksum = checksum
        self.isZero = isZero
    }

    /// Scans `images` and numbers their contents: byte-verified (XXH64) when `scan` would be
    /// (every input an image, their data within the memory limit), else by 128-bit
    /// ``PageFingerprint`` read front to back (``SteadyStateScan/equality(for:)``).
    ///
    /// - Throws: ``ContentMapError`` if `configuration` uses another hash than XXH64 (the
    ///   checksum must be the kernel's) or asks to keep going past unreadable pages;
    ///   ``FingerprintError`` for a sampled or incomplete fingerprint; otherwise whatever the
    ///   scan throws.
    public static func build(
        _ images: [any PageSource], configuration: ScanConfiguration = .init(), progress: ProgressCounter? = nil
    ) throws -> ContentMap {
        guard configuration.hash.name == PageHashFunction.xxh64.name else { throw ContentMapError.needsXXH64 }
        guard !configuration.keepGoing else { throw ContentMapError.cannotKeepGoing }
        // Byte verification rereads duplicates in hash order: only while the images fit the
        // memory limit, as scan chooses (beyond it, random I/O over the whole set).
        if SteadyStateScan(configuration: configuration).equality(for: images) == .fingerprint128 {
            return try buildFromFingerprints(images, configuration: configuration, progress: progress)
        }
        let layout = ImageLayout(pageCounts: images.map(\.pageCount))
        let total = layout.totalPages
        // Per page: the first page of its content (zero pages stay unassigned), then dense ids.
        var ids = [UInt32](repeating: ContentMapWriter.unassigned, count: total)
        var firstHash = [UInt32](repeating: 0, count: total)
        try ids.withUnsafeMutableBufferPointer { ids in
            try firstHash.withUnsafeMutableBufferPointer { hashes in
                let writer = ContentMapWriter(ids: ids, checksums: hashes)
                _ = try PageScanner(configuration: configuration).scan(images, progress: progress) { writer }
            }
        }
        return numbered(layout: layout, firstPages: &ids, firstHash: firstHash, pageSize: configuration.pageSize)
    }

    /// The map of `images` by fingerprint: fingerprint files give their records in page order,
    /// images are fingerprinted in one pass.
    static func buildFromFingerprints(
        _ images: [any PageSource], configuration: ScanConfiguration, progress: ProgressCounter?
    ) throws -> ContentMap {
        let layout = ImageLayout(pageCounts: images.map(\.pageCount))
        var entries: [(fingerprint: PageFingerprint, page: UInt32)] = []
        var pageConfiguration = configuration
        pageConfiguration.sample = .all
        let walk = FingerprintWalk(inputs: images, configuration: pageConfiguration, progress: progress)
        let read = try walk.run(walk.chunks().filter { !(images[$0.image] is FingerprintImage) }, workers: configuration.threads) {
            _ in PositionSink()
        }
        for sink in read {
            for entry in sink.pages {
                entries.append((entry.fingerprint, UInt32(layout.starts[entry.image] + entry.page)))
            }
        }
        for (index, image) in images.enumerated() {
            guard let file = image as? FingerprintImage else { continue }
            for (page, fingerprint) in try file.pageOrder().enumerated() {
                if let fingerprint { entries.append((fingerprint, UInt32(layout.starts[index] + page))) }
            }
        }
        entries.sort { $0.fingerprint != $1.fingerprint ? $0.fingerprint < $1.fingerprint : $0.page < $1.page }
        var firstPages = [UInt32](repeating: ContentMapWriter.unassigned, count: layout.totalPages)
        var firstHash = [UInt32](repeating: 0, count: layout.totalPages)
        var start = 0
        while start < entries.count {
            let first = entries[start].page
            firstHash[Int(first)] = entries[start].fingerprint.checksum
            var end = start
            while end < entries.count, entries[end].fingerprint == entries[start].fingerprint {
                firstPages[Int(entries[end].page)] = first
                end += 1
            }
            start = end
        }
        return numbered(layout: layout, firstPages: &firstPages, firstHash: firstHash, pageSize: configuration.pageSize)
    }

    /// Turns each page's first page of its content (``ContentMapWriter/unassigned`` for zero
    /// pages) into dense content ids in order of first appearance.
    private static func numbered(
        layout: ImageLayout, firstPages ids: inout [UInt32], firstHash: [UInt32], pageSize: PageSize
    ) -> ContentMap {
        let zeroPage = [UInt8](repeating: 0, count: pageSize.bytes)
        let zeroChecksum = UInt32(truncatingIfNeeded: zeroPage.withUnsafeBytes { PageHashFunction.xxh64($0) })
        var checksum: [UInt32] = []
        var isZero: [Bool] = []
        var zeroID: UInt32?
        for page in 0..<layout.totalPages {
            let first = ids[page]
            if first == ContentMapWriter.unassigned {
                if zeroID == nil {
                    zeroID = UInt32(checksum.count)
                    checksum.append(zeroChecksum)
                    isZero.append(true)
                }
                ids[page] = zeroID!
            } else if Int(first) == page {
                ids[page] = UInt32(checksum.count)
                checksum.append(firstHash[page])
                isZero.append(false)
            } else {
                ids[page] = ids[Int(first)]
            }
        }
        return ContentMap(layout: layout, contentOfPage: ids, checksum: checksum, isZero: isZero)
    }
}

/// Collects each non-zero page's fingerprint with its position.
struct PositionSink: FingerprintSink, Sendable {
    var pages: [(image: Int, page: Int, fingerprint: PageFingerprint)] = []

    mutating func zeros(_ pages: Range<Int>, image: Int) {}
    mutating func page(_ page: Int, image: Int, fingerprint: PageFingerprint) { pages.append((image, page, fingerprint)) }
    mutating func unreadable(_ count: Int, image: Int) {}
}

/// Why a content map cannot be built with the given configuration.
public enum ContentMapError: Error, Equatable, CustomStringConvertible {
    /// The checksum must be the kernel's, so the hash must be XXH64.
    case needsXXH64
    /// Every page must have a content; unreadable pages cannot be left out.
    case cannotKeepGoing

    public var description: String {
        switch self {
        case .needsXXH64: "content maps need the XXH64 page hash (the kernel's checksum)"
        case .cannotKeepGoing: "content maps need every page readable: --keep-going is not supported here"
        }
    }
}

/// Writes each content group's first page and checksum into per-page buffers.
///
/// Every page belongs to exactly one group and each group is handled by one worker, so the
/// workers' writes never overlap; `@unchecked` only because raw buffers are not `Sendable`.
struct ContentMapWriter: ContentGroupAccumulator, @unchecked Sendable {
    static let unassigned = UInt32.max
    let ids: UnsafeMutableBufferPointer<UInt32>
    let checksums: UnsafeMutableBufferPointer<UInt32>

    mutating func add(_ group: ContentGroup) {
        // The zero group has no page list: its pages stay unassigned and are numbered after.
        guard let first = group.pages.first else { return }
        for page in group.pages { ids[Int(page)] = first }
        checksums[Int(first)] = UInt32(truncatingIfNeeded: group.hash)
    }

    /// Nothing to merge: every worker wrote straight into the shared buffers.
    mutating func merge(_ other: ContentMapWriter) {}
}
