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

    /// Scans `images` (XXH64, byte-verified) and numbers their contents.
    ///
    /// - Throws: ``ContentMapError`` if `configuration` uses another hash than XXH64 (the
    ///   checksum must be the kernel's) or asks to keep going past unreadable pages; otherwise
    ///   whatever the scan throws.
    public static func build(
        _ images: [any PageSource], configuration: ScanConfiguration = .init(), progress: ProgressCounter? = nil
    ) throws -> ContentMap {
        guard configuration.hash.name == PageHashFunction.xxh64.name else { throw ContentMapError.needsXXH64 }
        guard !configuration.keepGoing else { throw ContentMapError.cannotKeepGoing }
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
        let zeroPage = [UInt8](repeating: 0, count: configuration.pageSize.bytes)
        let zeroChecksum = UInt32(truncatingIfNeeded: zeroPage.withUnsafeBytes { PageHashFunction.xxh64($0) })
        var checksum: [UInt32] = []
        var isZero: [Bool] = []
        var zeroID: UInt32?
        for page in 0..<total {
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
