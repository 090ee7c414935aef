/// What the first k guests save together, for k = 1 … n, and beyond n by cycling through the
/// guests again with the last guest's marginal saving: where sharing flattens, and the figure
/// every capacity question is answered from.
///
/// Each point is exactly the saving a scan of the first k guests predicts; all points come from
/// one fold of the contents (``PlanTally``), not n scans.
public struct SharingCurve: Sendable, Equatable {
    /// Each input guest's memory, bytes, in input order.
    public let guestMemory: [Int]
    /// Bytes saved by the first k guests, for k = 1 … n (index k − 1).
    public let savedBytes: [Int]
    /// The part of ``savedBytes`` that is all-zero pages.
    public let zeroSavedBytes: [Int]

    /// Creates a curve from its parts.
    public init(guestMemory: [Int], savedBytes: [Int], zeroSavedBytes: [Int]) {
        precondition(guestMemory.count == savedBytes.count && savedBytes.count == zeroSavedBytes.count)
        self.guestMemory = guestMemory
        self.savedBytes = savedBytes
        self.zeroSavedBytes = zeroSavedBytes
    }

    /// The number of input guests, n.
    public var inputCount: Int { guestMemory.count }

    /// The input guest that guest number `k` (from 1) is: inputs repeat in order beyond n.
    public func input(ofGuest k: Int) -> Int { (k - 1) % inputCount }

    /// Bytes saved by the first `k` guests; beyond n, the saving of all n plus the last guest's
    /// marginal saving for each further guest.
    public func saved(guests k: Int) -> Int { extended(savedBytes, k) }

    /// The all-zero part of ``saved(guests:)``, extended the same way.
    public func zeroSaved(guests k: Int) -> Int { extended(zeroSavedBytes, k) }

    /// What guest `k` adds to the saving (extrapolated beyond n).
    public func marginal(guest k: Int) -> Int { saved(guests: k) - saved(guests: k - 1) }

    /// The memory of the first `k` guests, cycling through the inputs, bytes.
    public func memory(guests k: Int) -> Int {
        guard k > 0 else { return 0 }
        let whole = k / inputCount
        let rest = k % inputCount
        return whole * guestMemory.reduce(0, +) + guestMemory[..<rest].reduce(0, +)
    }

    private func extended(_ values: [Int], _ k: Int) -> Int {
        guard k > 0 else { return 0 }
        let n = values.count
        if k <= n { return values[k - 1] }
        let last = values[n - 1] - (n >= 2 ? values[n - 2] : 0)
        return values[n - 1] + (k - n) * last
    }

    /// The curve's points for k = 1 … `count` (points beyond n marked extrapolated).
    public func points(upTo count: Int) -> [Point] {
        (1...max(1, count)).map { k in
            Point(
                guests: k, savedBytes: saved(guests: k), marginalSavedBytes: marginal(guest: k), extrapolated: k > inputCount)
        }
    }

    /// One point of the curve.
    public struct Point: Sendable, Equatable, Codable {
        /// k: the first k guests.
        public var guests: Int
        /// Bytes they save together.
        public var savedBytes: Int
        /// What guest k adds.
        public var marginalSavedBytes: Int
        /// Whether k is beyond the inputs, so the point repeats the last marginal saving.
        public var extrapolated: Bool
        /// From a sample only: the low end of the saving's 95 % confidence interval.
        public var savedBytesLow: Int?
        /// From a sample only: the high end of the saving's 95 % confidence interval.
        public var savedBytesHigh: Int?

        /// Creates a point.
        public init(
            guests: Int, savedBytes: Int, marginalSavedBytes: Int, extrapolated: Bool, savedBytesLow: Int? = nil,
            savedBytesHigh: Int? = nil
        ) {
            self.guests = guests
            self.savedBytes = savedBytes
            self.marginalSavedBytes = marginalSavedBytes
            self.extrapolated = extrapolated
            self.savedBytesLow = savedBytesLow
            self.savedBytesHigh = savedBytesHigh
        }

        enum CodingKeys: String, CodingKey {
            case guests, extrapolated
            case savedBytes = "saved_bytes"
            case marginalSavedBytes = "marginal_saved_bytes"
            case savedBytesLow = "saved_bytes_low"
            case savedBytesHigh = "saved_bytes_high"
        }
    }
}
