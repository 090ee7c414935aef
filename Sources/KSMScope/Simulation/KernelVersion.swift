#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Which kernel's order of checks `cmp_and_merge_page()` follows, and which version of the
/// stable node chain walk (`stable_node_dup()`) is used.
///
/// Up to v6.10 every page that is not yet a KSM page is first looked up in the stable tree and
/// only then has its checksum compared, so a page identical to an existing KSM page merges on
/// its first visit. From v6.11 (commit d58a361b0350) the checksum must be stable before any
/// lookup, and the chain walk was reworked (a0b856b617c5): a chain left with a single dup is
/// collapsed on any walk, not only on a pruning one.
public enum KernelVersion: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// v4.13 … v6.10: stable tree search before the checksum test.
    case v6_10 = "6.10"
    /// v6.11 and later: checksum test first.
    case v6_11 = "6.11"

    public var description: String { rawValue }

    /// The behaviour of a kernel release string such as `6.8.0-45-generic`: 6.11 for 6.11 and
    /// later, 6.10 for earlier releases; nil when the string has no `MAJOR.MINOR` prefix.
    public init?(release: String) {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2, release.first?.isNumber == true else { return nil }
        self = (numbers[0], numbers[1]) >= (6, 11) ? .v6_11 : .v6_10
    }

    /// The behaviour of the running kernel (`uname -r`), or 6.11 when it cannot be read.
    public static var running: KernelVersion {
        var names = utsname()
        guard uname(&names) == 0 else { return .v6_11 }
        let release = withUnsafeBytes(of: &names.release) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return KernelVersion(release: release) ?? .v6_11
    }

    /// Whether the checksum is compared before the stable tree is searched (v6.11+).
    var checksumBeforeStableSearch: Bool { self == .v6_11 }
}
