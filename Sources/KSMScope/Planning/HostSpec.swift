/// The compute host a plan is made for: its memory, what the host keeps for itself, what each
/// guest costs beyond its own memory, and the safety margin kept on KSM's saving.
public struct HostSpec: Sendable, Equatable {
    /// Physical memory of the host, bytes (`--host-memory`).
    public var hostMemory: Int
    /// Memory kept for the host's own processes, bytes (`--reserved`): Nova's
    /// `reserved_host_memory_mb`, 512 MiB by default.
    public var reserved: Int
    /// Memory each guest costs beyond its own (QEMU's process, page tables, device buffers),
    /// bytes (`--guest-overhead`).
    public var guestOverhead: Int
    /// Percent of KSM's saving not counted on, for copy-on-write surprises (`--headroom`).
    public var headroomPercent: Double

    /// Nova's `reserved_host_memory_mb` default (nova/conf/compute.py): 512 MiB.
    public static let defaultReserved = 512 << 20
    /// The default per-guest overhead: 0.5 GiB, Red Hat OpenStack Platform 13's sizing example
    /// ("0.5 GB overhead per VM"). QEMU's real overhead depends on devices and guest size;
    /// measure it (a guest's QEMU RSS minus its memory) and pass `--guest-overhead`.
    public static let defaultGuestOverhead = 512 << 20
    /// The default headroom: 10 % of the saving.
    public static let defaultHeadroomPercent = 10.0

    /// Creates a host.
    ///
    /// - Throws: ``PlanError`` when the reserve is not below the host's memory, a size is
    ///   negative, or the headroom is not a percentage from 0 to 100.
    public init(
        hostMemory: Int, reserved: Int = defaultReserved, guestOverhead: Int = defaultGuestOverhead,
        headroomPercent: Double = defaultHeadroomPercent
    ) throws(PlanError) {
        guard hostMemory > 0 else { throw .badSize(option: "--host-memory", bytes: hostMemory) }
        guard reserved >= 0 else { throw .badSize(option: "--reserved", bytes: reserved) }
        guard guestOverhead >= 0 else { throw .badSize(option: "--guest-overhead", bytes: guestOverhead) }
        guard reserved < hostMemory else { throw .reserveTooLarge(hostMemory: hostMemory, reserved: reserved) }
        guard headroomPercent >= 0, headroomPercent <= 100 else { throw .headroom(headroomPercent) }
        self.hostMemory = hostMemory
        self.reserved = reserved
        self.guestOverhead = guestOverhead
        self.headroomPercent = headroomPercent
    }

    /// Memory the guests may use: host memory less the reserve.
    public var usable: Int { hostMemory - reserved }
}

extension HostSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case reserved, usable
        case hostMemory = "host_memory"
        case guestOverhead = "guest_overhead"
        case headroomPercent = "headroom_percent"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hostMemory, forKey: .hostMemory)
        try container.encode(reserved, forKey: .reserved)
        try container.encode(guestOverhead, forKey: .guestOverhead)
        try container.encode(usable, forKey: .usable)
        try container.encode(headroomPercent, forKey: .headroomPercent)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            hostMemory: try container.decode(Int.self, forKey: .hostMemory),
            reserved: try container.decode(Int.self, forKey: .reserved),
            guestOverhead: try container.decode(Int.self, forKey: .guestOverhead),
            headroomPercent: try container.decode(Double.self, forKey: .headroomPercent))
    }
}
