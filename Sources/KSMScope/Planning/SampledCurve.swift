/// A policy's sharing curve from a plan's tally: the estimate of each point and the ends of its
/// 95 % confidence interval, by scan's estimator (``SampledSaving``) over the first k guests.
///
/// Without sampling the three curves are one, exact. From a 1/N sample the all-zero content
/// is counted in full and the other contents' saving scaled by N (Horvitz-Thompson); each
/// point's variance comes from the sum of the squares of the sampled contents' savings over
/// the first k guests.
struct SampledCurve: Sendable {
    /// The estimate of each point (exact without sampling).
    let estimate: SharingCurve
    /// The low end of each point's interval: what capacity is counted on.
    let low: SharingCurve
    /// The high end of each point's interval.
    let high: SharingCurve
    /// Each point's estimate and interval, k = 1 … n (index k − 1).
    let savings: [SampledSaving]

    /// The curve of `policy` from `tally`, a 1/`every` sample.
    init(tally: PlanTally, policy: MergePolicy, every: Int, pageSize: Int) {
        let parts = tally.curve(policy)!
        var zero = 0
        var other = 0
        var squares = 0.0
        var savings: [SampledSaving] = []
        var zeroBytes: [Int] = []
        for guest in parts.zero.indices {
            zero += parts.zero[guest]
            other += parts.other[guest]
            squares += parts.squares[guest]
            savings.append(
                SampledSaving(
                    zeroSavedPages: zero, sampledSavedPages: other, savedPagesSquared: squares, every: every,
                    pageSize: pageSize))
            zeroBytes.append(zero * pageSize)
        }
        let memory = tally.setup.guestPages.map { $0 * pageSize }
        estimate = SharingCurve(guestMemory: memory, savedBytes: savings.map(\.savedBytes), zeroSavedBytes: zeroBytes)
        low = SharingCurve(guestMemory: memory, savedBytes: savings.map(\.savedBytesLow), zeroSavedBytes: zeroBytes)
        high = SharingCurve(guestMemory: memory, savedBytes: savings.map(\.savedBytesHigh), zeroSavedBytes: zeroBytes)
        self.savings = savings
    }

    /// The curve's points for k = 1 … `count`, with each point's interval when `intervals`.
    func points(upTo count: Int, intervals: Bool) -> [SharingCurve.Point] {
        var points = estimate.points(upTo: count)
        guard intervals else { return points }
        for index in points.indices {
            points[index].savedBytesLow = low.saved(guests: index + 1)
            points[index].savedBytesHigh = high.saved(guests: index + 1)
        }
        return points
    }
}
