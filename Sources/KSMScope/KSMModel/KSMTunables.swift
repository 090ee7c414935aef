/// The ksmd tunables that decide how identical pages end up merged, with the kernel's names,
/// defaults and limits (`/sys/kernel/mm/ksm/`).
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
    public init(maxPageSharing: Int = 256, useZeroPages: Bool = false) throws(KSMTunablesError) {
        guard maxPageSharing >= 2 else { throw .maxPageSharingTooSmall(maxPageSharing) }
        self.maxPageSharing = maxPageSharing
        self.useZeroPages = useZeroPages
    }

    /// The kernel's defaults.
    public static let defaults = try! KSMTunables()

    enum CodingKeys: String, CodingKey {
        case maxPageSharing = "max_page_sharing"
        case useZeroPages = "use_zero_pages"
    }
}

/// A tunable outside the kernel's limits.
public enum KSMTunablesError: Error, Equatable, CustomStringConvertible {
    /// `max_page_sharing` below 2, which the kernel refuses with EINVAL.
    case maxPageSharingTooSmall(Int)

    public var description: String {
        switch self {
        case .maxPageSharingTooSmall(let value):
            "max_page_sharing \(value) is below the kernel's minimum of 2"
        }
    }
}
