/// What the bounded plan keeps of a page that is not all zero, in memory and in partition files:
/// its content's fingerprint and where the copy is (24 bytes).
///
/// Sorted by content, then guest and page, a partition's records are its contents one after
/// another, each with its copies in scan order.
struct PlanRecord: Sendable {
    /// The content.
    var fingerprint: PageFingerprint
    /// The copy.
    var copy: PlanTally.Copy

    /// Orders by content, then guest, then page.
    @inline(__always)
    static func precedes(_ a: PlanRecord, _ b: PlanRecord) -> Bool {
        if a.fingerprint != b.fingerprint { return a.fingerprint < b.fingerprint }
        return (a.copy.guest, a.copy.page) < (b.copy.guest, b.copy.page)
    }

    /// Bytes a record takes in memory and on disk.
    static let size = MemoryLayout<PlanRecord>.stride
}
