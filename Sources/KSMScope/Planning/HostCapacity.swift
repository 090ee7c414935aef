/// The capacity arithmetic of one host: how many guests fit, and the Nova setting that admits
/// them. Guests are added in input order, cycling through the inputs (``SharingCurve``).
///
/// k guests fit when `memory(k) + k × guest_overhead − factor × saved(k) ≤ usable`, where
/// `factor` is 0 without KSM, 1 with KSM at steady state, and the churn factor less the headroom
/// under churn. The count is the number of leading guests that fit, each one added in turn.
public enum HostCapacity {
    /// The most guests a plan counts before it calls the host unbounded.
    public static let guestLimit = 10_000_000

    /// How many guests fit on `host` when `factor` of the curve's saving is counted on.
    ///
    /// - Throws: ``PlanError/unbounded(limit:)`` when more than ``guestLimit`` guests would fit
    ///   (guests that cost nothing after their saving, e.g. with `--guest-overhead 0`).
    public static func guestsFit(curve: SharingCurve, host: HostSpec, savingFactor factor: Double) throws(PlanError) -> Int {
        var memory = 0
        var k = 0
        while true {
            guard k < guestLimit else { throw .unbounded(limit: guestLimit) }
            memory += curve.guestMemory[k % curve.inputCount] + host.guestOverhead
            let needed = Double(memory - host.usable)
            guard needed <= factor * Double(curve.saved(guests: k + 1)) else { return k }
            k += 1
        }
    }

    /// Nova's `ram_allocation_ratio` for `guests` guests: the largest multiple of 0.01 at which
    /// Nova admits no more than that many, in hundredths, and how many it admits at it.
    ///
    /// Nova (placement) admits an instance while the flavors' memory, summed, stays within
    /// `(host memory − reserved_host_memory_mb) × ram_allocation_ratio`; flavor memory is the
    /// guest's memory, without QEMU's overhead. So the ratio is the guests' memory with one more
    /// guest, over usable memory, rounded down to 2 decimals (and strictly below that quotient).
    /// Rounding down can make Nova admit fewer than `guests`, never more.
    public static func ramAllocationRatio(curve: SharingCurve, host: HostSpec, guests: Int) -> (hundredths: Int, admitted: Int) {
        let next = curve.memory(guests: guests + 1)
        let hundredths = (100 * next - 1) / host.usable
        var admitted = 0
        var memory = 0
        while admitted <= guests {
            memory += curve.guestMemory[admitted % curve.inputCount]
            guard memory * 100 <= host.usable * hundredths else { break }
            admitted += 1
        }
        return (hundredths, admitted)
    }
}
