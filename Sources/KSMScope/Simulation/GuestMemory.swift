/// What every guest page holds and what its PTE maps, as ksmd would find it.
///
/// Guests are laid out one after another in page slots (guest-major, pages in address order),
/// which is ksmd's scan order. A slot's content is a content id (or ``absent`` for an address
/// with no page); its mapping is the guest's private page, a KSM page (by stable node), or the
/// zero page KSM placed there.
struct GuestMemory: Sendable {
    /// The content of a slot with no page.
    static let absent = UInt32.max
    /// Mapping: the guest's own anonymous page (or nothing, for an absent slot).
    static let privatePage = UInt32.max
    /// Mapping: the kernel's zero page, placed by KSM (`is_ksm_zero_pte()`).
    static let zeroPage = UInt32.max - 1

    /// Where each guest's slots are.
    let layout: ImageLayout
    /// Each slot's content id.
    var content: [UInt32]
    /// Each slot's mapping: ``privatePage``, ``zeroPage`` or a stable node.
    var mapping: [UInt32]

    /// Memory per page slot.
    static let bytesPerSlot = 8

    /// Creates memory of `slotCounts` slots per guest, all absent.
    init(slotCounts: [Int]) {
        layout = ImageLayout(pageCounts: slotCounts)
        content = Array(repeating: Self.absent, count: layout.totalPages)
        mapping = Array(repeating: Self.privatePage, count: layout.totalPages)
    }

    /// Whether ksmd's walk finds an anonymous page at `slot` (not absent, not the zero page).
    @inline(__always)
    func isScannable(_ slot: Int) -> Bool { content[slot] != Self.absent && mapping[slot] != Self.zeroPage }

    /// The stable node of the KSM page `slot` maps, if any.
    @inline(__always)
    func ksmNode(_ slot: Int) -> UInt32? {
        let value = mapping[slot]
        return value == Self.privatePage || value == Self.zeroPage ? nil : value
    }
}
