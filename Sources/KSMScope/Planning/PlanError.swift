/// A capacity plan that cannot be made: one line naming the option or input at fault.
public enum PlanError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A size option below zero (or zero where it must be positive).
    case badSize(option: String, bytes: Int)
    /// The reserve takes the whole host.
    case reserveTooLarge(hostMemory: Int, reserved: Int)
    /// A headroom that is not a percentage from 0 to 100.
    case headroom(Double)
    /// A host count below 1.
    case hosts(Int)
    /// The first guest alone does not fit on the host, even with all it saves by itself.
    case hostTooSmall(guest: String, needs: Int, usable: Int)
    /// Guests cost nothing after their saving, so any number fits.
    case unbounded(limit: Int)
    /// No guests were named.
    case noGuests
    /// The domain policy was asked for without a domains file.
    case domainPolicyNeedsDomains

    public var description: String {
        switch self {
        case .badSize(let option, let bytes):
            "\(option) \(bytes): must be \(option == "--host-memory" ? "positive" : "zero or more")"
        case .reserveTooLarge(let hostMemory, let reserved):
            "--reserved \(Figures.bytes(reserved)) leaves nothing of --host-memory \(Figures.bytes(hostMemory)) for guests"
        case .headroom(let percent):
            "--headroom \(percent): must be a percentage from 0 to 100"
        case .hosts(let count):
            "--hosts \(count): must be at least 1"
        case .hostTooSmall(let guest, let needs, let usable):
            "--host-memory: the host's usable memory (\(Figures.bytes(usable)) after --reserved) does not hold one guest: "
                + "\(guest) needs \(Figures.bytes(needs)) with --guest-overhead, even after KSM's saving"
        case .unbounded(let limit):
            "more than \(limit) guests would fit: guests cost nothing once KSM merges them (is --guest-overhead 0?)"
        case .noGuests:
            "name at least one guest: an image, folder, timeline.json, --timeline, --pid or --qemu"
        case .domainPolicyNeedsDomains:
            "--policy domain needs --domains FILE"
        }
    }
}
