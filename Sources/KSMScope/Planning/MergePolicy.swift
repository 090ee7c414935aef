/// Which pages a host lets KSM merge: the policies `scan` reports savings for, as one choice
/// a capacity plan can be made under.
public enum MergePolicy: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// KSM as is: identical pages merge across all guests.
    case all
    /// Only within each guest: what per-VM salting keeps (VMware `Mem.ShareForceSalting`), the
    /// answer to inter-VM page-fusion side channels.
    case intraImage = "intra_image"
    /// Only all-zero pages (Windows' policy since 1903).
    case zeroOnly = "zero_only"
    /// Only within each domain of a domains file (a tenant, a security zone).
    case domain

    public var description: String { rawValue }
}
