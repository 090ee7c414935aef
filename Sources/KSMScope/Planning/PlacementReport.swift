/// Guests placed on several hosts of one size (`--hosts N`), beside the two placements that
/// ignore sharing, each host's saving an exact fold of its guests through the KSM rules.
public struct PlacementReport: Sendable, Equatable, Codable {
    /// The hosts, in order.
    public var hosts: [Host]
    /// Guests that fit on no host.
    public var unplaced: [String]
    /// What all hosts save together, bytes.
    public var savedBytes: Int
    /// Guest i on host i mod N, ignoring capacity: what it saves, bytes.
    public var roundRobinSavedBytes: Int
    /// Whether every host of the round-robin placement fits.
    public var roundRobinFits: Bool
    /// Each guest, in input order, on the first host where it fits: what it saves, bytes.
    public var firstFitSavedBytes: Int
    /// Guests first-fit could not place.
    public var firstFitUnplaced: Int
    /// How the placement was found.
    public var method: String

    /// One host.
    public struct Host: Sendable, Equatable, Codable {
        /// Its guests, in input order.
        public var guests: [String]
        /// Their memory and overhead less their saving at steady state, bytes.
        public var usedBytes: Int
        /// Their saving at steady state, bytes.
        public var savedBytes: Int

        enum CodingKeys: String, CodingKey {
            case guests
            case usedBytes = "used_bytes"
            case savedBytes = "saved_bytes"
        }
    }

    enum CodingKeys: String, CodingKey {
        case hosts, unplaced, method
        case savedBytes = "saved_bytes"
        case roundRobinSavedBytes = "round_robin_saved_bytes"
        case roundRobinFits = "round_robin_fits"
        case firstFitSavedBytes = "first_fit_saved_bytes"
        case firstFitUnplaced = "first_fit_unplaced"
    }

    /// The placement as text; `estimated` labels savings estimated from a sample.
    func text(estimated: Bool) -> String {
        var out = "\nplacement on \(hosts.count) hosts (\(method))\(estimated ? ", savings estimated from the sample" : ""):\n"
        var rows = [["  host", "guests", "used", estimated ? "saved (estimate)" : "saved", "guests"]]
        for (index, host) in hosts.enumerated() {
            rows.append([
                "  \(index + 1)", "\(host.guests.count)", Figures.bytes(host.usedBytes), Figures.bytes(host.savedBytes),
                host.guests.prefix(6).joined(separator: " ") + (host.guests.count > 6 ? " …" : ""),
            ])
        }
        out += Figures.table(rows)
        out += Figures.table([
            ["  saved by this placement", Figures.bytes(savedBytes)],
            [
                "  round-robin", Figures.bytes(roundRobinSavedBytes)
                    + (roundRobinFits ? "" : " (some hosts overflow)"),
            ],
            [
                "  first-fit", Figures.bytes(firstFitSavedBytes)
                    + (firstFitUnplaced > 0 ? " (\(firstFitUnplaced) guests unplaced)" : ""),
            ],
        ])
        if !unplaced.isEmpty { out += "  unplaced: \(unplaced.joined(separator: " "))\n" }
        return out
    }
}
