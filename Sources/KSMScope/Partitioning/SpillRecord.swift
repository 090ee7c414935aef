/// What the fingerprint engine keeps of a non-zero page, in memory and in partition files:
/// 24 bytes for one or more copies of a content in one image.
///
/// Copies of a content in one image that meet in a worker's buffer are folded into one record
/// before it is written, so heavily duplicated contents cost less than 24 bytes a page.
struct SpillRecord: Sendable {
    /// The content.
    var fingerprint: PageFingerprint
    /// The image's index in scan order.
    var image: UInt32
    /// Copies.
    var count: UInt32

    /// Orders by content, then by image: runs of one content with its images in scan order.
    @inline(__always)
    static func precedes(_ a: SpillRecord, _ b: SpillRecord) -> Bool {
        // Field by field: the synthesized == of the fingerprint is not always inlined.
        if a.fingerprint.xxh64 != b.fingerprint.xxh64 { return a.fingerprint.xxh64 < b.fingerprint.xxh64 }
        if a.fingerprint.xxh3 != b.fingerprint.xxh3 { return a.fingerprint.xxh3 < b.fingerprint.xxh3 }
        return a.image < b.image
    }

    /// Whether two records are of one content.
    @inline(__always)
    func isSameContent(as other: SpillRecord) -> Bool {
        fingerprint.xxh64 == other.fingerprint.xxh64 && fingerprint.xxh3 == other.fingerprint.xxh3
    }

    /// Bytes a record takes in memory and on disk.
    static let size = MemoryLayout<SpillRecord>.stride
}

extension UnsafeMutableBufferPointer<SpillRecord> {
    /// Sorts by content and image (in place, on `workers` workers) and folds equal neighbours;
    /// returns how many records remain.
    mutating func sortAndFold(workers: Int = 1) -> Int {
        guard count > 1 else { return count }
        HashBucketSort.sort(self, workers: workers)
        return foldSorted()
    }

    /// Folds neighbours of one content and image (records sorted by content and image) into
    /// one record; returns how many records remain.
    mutating func foldSorted() -> Int {
        guard count > 1 else { return count }
        var kept = 0
        for index in 1..<count {
            if self[index].isSameContent(as: self[kept]), self[index].image == self[kept].image,
                self[kept].count < UInt32.max - self[index].count
            {
                self[kept].count += self[index].count
            } else {
                kept += 1
                self[kept] = self[index]
            }
        }
        return kept + 1
    }
}
