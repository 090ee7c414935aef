/// The ksmd tunables that decide how identical pages end up merged, with the kernel's names,
/// defaults and limits (`/sys/kernel/mm/ksm/`): what the steady state depends on.
///
/// ``SimulatorTunables`` adds the knobs that decide how fast ksmd gets there; both refuse values
/// with the same ``KSMTunablesError``, and ``SimulatorTunables/merging`` gives these two back.
public struct KSMTunables: Sendable, Equatable, Codable {
    /// `max_page_sharing`: the most mappings one KSM page takes before a new KSM page of the
    /// same content is started in a chain. Kernel default 256, at least 2.
    public var maxPageSharing: Int
    /// `use_zero_pages`: map all-zero pages to the kernel's zero page instead of merging them.
    public var useZeroPages: Bool

    /// The kernel's `sizeof(struct ksm_rmap_item)` on 64-bit: what `general_profit` charges per
    /// scanned page.
    public static let rmapItemBytes = 64

    /// Creates tunables; by default the kernel's.
    ///
    /// - Throws: ``KSMTunablesError`` for a `max_page_sharing` below 2 or above `INT_MAX`, which
    ///   the kernel refuses (`max_page_sharing_store()`).
    public init(maxPageSharing: Int = 256, useZeroPages: Bool = false) throws(KSMTunablesError) {
        guard maxPageSharing >= 2 else {
            throw .belowMinimum(knob: "max_page_sharing", value: maxPageSharing, minimum: 2)
        }
        guard maxPageSharing <= Int(Int32.max) else {
            throw .aboveMaximum(knob: "max_page_sharing", value: maxPageSharing, maximum: Int(Int32.max))
        }
        self.maxPageSharing = maxPageSharing
        self.useZeroPages = useZeroPages
    }

    /// The kernel's defaults.
    public static let defaults = try! KSMTunables()

    /// Pages saved once ksmd has converged on `copies` identical pages: every copy of an all-zero
    /// page with `use_zero_pages` (they map the kernel's zero page, which is no KSM page),
    /// else the sharing mappings of ``KSMPageFill``.
    ///
    /// Every saving in ksmscope (scan, policies, generated expectations, the simulator's
    /// convergence target) comes from this rule.
    @inline(__always)
    public func savedPages(copies: Int, isZero: Bool) -> Int {
        if isZero && useZeroPages { return copies }
        return KSMPageFill(copies: copies, maxPageSharing: maxPageSharing).sharing
    }

    /// Copies mapped to merged memory once ksmd has converged on `copies` identical pages: with
    /// `use_zero_pages` every copy of an all-zero page (the kernel's zero page), else every copy
    /// in a KSM page (`ksm_merging_pages`: the first mapping of each KSM page and its sharers).
    ///
    /// They are the first copies in scan order; the one copy left out, if any, is the last
    /// (``KSMPageFill/leftover``). What a transparent huge page holding one of them loses: ksmd
    /// splits it to merge the page (`try_to_merge_one_page()`).
    @inline(__always)
    public func mergedPages(copies: Int, isZero: Bool) -> Int {
        if isZero && useZeroPages { return copies }
        let fill = KSMPageFill(copies: copies, maxPageSharing: maxPageSharing)
        return fill.ksmPages + fill.sharing
    }

    enum CodingKeys: String, CodingKey {
        case maxPageSharing = "max_page_sharing"
        case useZeroPages = "use_zero_pages"
    }
}
