/// What phase one of the scan keeps of a page that is not all zero: 16 bytes a page.
///
/// Page contents are never stored; only the hash, the page's global index and, when the
/// worker could compare the page while it was hot in cache, an earlier identical page.
struct PageRecord {
    /// The page's hash.
    var hash: UInt64
    /// The page's global index in scan order.
    var page: UInt32
    /// An earlier page proven byte-identical to this one, or ``PageRecord/unproven``.
    var proof: UInt32

    /// No identical page was proven while scanning.
    static let unproven = UInt32.max
    /// The largest global page index a scan can hold: the value above it is a marker.
    static let maximumPages = Int(UInt32.max - 1)

    /// Orders records by hash, then by page: runs of one hash in scan order.
    @inline(__always)
    static func precedes(_ a: PageRecord, _ b: PageRecord) -> Bool {
        a.hash != b.hash ? a.hash < b.hash : a.page < b.page
    }
}
