/// Memory `ksmscope calibrate` gives the real ksmd to scan: guests of generated pages whose
/// sharing is known by construction, as bytes (for the page holders) and as a ``ContentMap``
/// (for the simulator's replay of the same run).
///
/// Every non-zero page is a SplitMix64 stream seeded by its content key, so two pages are
/// equal exactly when their keys are, and pages of different keys differ in their first bytes
/// (as in generated fleets: a tree level compares a few bytes, not the whole page).
public struct CalibrationWorkload: Sendable, Equatable {
    /// What the pages hold.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// Every page different: checksums, and unstable-tree walks and inserts.
        case unique
        /// `contents` different contents repeated round-robin: merges, stable-tree walks and,
        /// beyond `max_page_sharing` copies, chains of dups.
        case copies(contents: Int)
        /// All-zero pages, written (so present): one content, or with `use_zero_pages` the
        /// kernel's zero page.
        case zero
        /// Half unique pages, a quarter copies of 64 contents, an eighth zero pages and an
        /// eighth pairs.
        case mix

        public var description: String {
            switch self {
            case .unique: "unique"
            case .copies(let contents): "copies-\(contents)"
            case .zero: "zero"
            case .mix: "mix"
            }
        }
    }

    /// What the pages hold.
    public var kind: Kind
    /// Pages of each guest.
    public var pagesPerGuest: Int
    /// Guests (holder processes).
    public var guests: Int
    /// Bytes per page.
    public var pageSize: Int

    /// Creates a workload.
    public init(kind: Kind, pagesPerGuest: Int, guests: Int = 1, pageSize: Int = 4096) {
        self.kind = kind
        self.pagesPerGuest = pagesPerGuest
        self.guests = guests
        self.pageSize = pageSize
    }

    /// A short name for reports: `unique 2x16384`.
    public var label: String { "\(kind) \(guests)x\(pagesPerGuest)" }

    /// The content key of page `page` (numbered over all guests), 0 for an all-zero page.
    func key(of page: Int) -> UInt64 {
        let index = UInt64(page)
        switch kind {
        case .unique: return 1 + index
        case .copies(let contents): return 1 + index % UInt64(max(1, contents))
        case .zero: return 0
        case .mix:
            switch page % 8 {
            case 0, 1, 2, 3: return 1 + index
            case 4, 5: return (1 << 40) + index % 64
            case 6: return 0
            default: return (1 << 41) + index / 16
            }
        }
    }

    /// Each guest's bytes.
    public func images() -> [[UInt8]] {
        (0..<guests).map { guest in
            var bytes = [UInt8](repeating: 0, count: pagesPerGuest * pageSize)
            bytes.withUnsafeMutableBytes { buffer in
                for offset in 0..<pagesPerGuest {
                    let key = key(of: guest * pagesPerGuest + offset)
                    guard key != 0 else { continue }
                    Self.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[offset * pageSize..<(offset + 1) * pageSize]), key: key)
                }
            }
            return bytes
        }
    }

    /// The guests' content map, as ``ContentMap/build(_:configuration:progress:)`` would make
    /// it from ``images()`` (content ids in order of first appearance), without the bytes.
    public func contents() -> ContentMap {
        var ids: [UInt64: UInt32] = [:]
        var contentOfPage: [UInt32] = []
        var checksums: [UInt32] = []
        var isZero: [Bool] = []
        contentOfPage.reserveCapacity(guests * pagesPerGuest)
        let page = UnsafeMutableRawBufferPointer.allocate(byteCount: pageSize, alignment: 8)
        defer { page.deallocate() }
        for index in 0..<(guests * pagesPerGuest) {
            let key = key(of: index)
            if let id = ids[key] {
                contentOfPage.append(id)
                continue
            }
            let id = UInt32(checksums.count)
            ids[key] = id
            contentOfPage.append(id)
            page.initializeMemory(as: UInt8.self, repeating: 0)
            if key != 0 { Self.fill(page, key: key) }
            checksums.append(UInt32(truncatingIfNeeded: PageHashFunction.xxh64(UnsafeRawBufferPointer(page))))
            isZero.append(key == 0)
        }
        let layout = ImageLayout(pageCounts: Array(repeating: pagesPerGuest, count: guests))
        return ContentMap(layout: layout, contentOfPage: contentOfPage, checksum: checksums, isZero: isZero)
    }

    /// Fills a page with the SplitMix64 stream of `key`, the key itself first.
    static func fill(_ page: UnsafeMutableRawBufferPointer, key: UInt64) {
        var generator = SplitMix64(seed: key)
        page.storeBytes(of: key.littleEndian, toByteOffset: 0, as: UInt64.self)
        for offset in stride(from: 8, to: page.count - 7, by: 8) {
            page.storeBytes(of: generator.next().littleEndian, toByteOffset: offset, as: UInt64.self)
        }
    }
}
