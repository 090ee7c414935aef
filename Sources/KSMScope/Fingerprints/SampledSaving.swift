/// The saving of the whole set estimated from a content-based sample (`--sample 1/N`), with a
/// 95 % confidence interval.
///
/// Each content that is not all zero is in the sample with probability p = 1/N, independently
/// of the others (its hash decides), with all its copies. The Horvitz-Thompson estimator of
/// the saving is the zero content's saving (always counted in full) plus N times the saving of
/// the sampled contents; its variance is estimated without bias by N(N−1) Σ s², s being each
/// sampled content's saved pages (``SteadyStateTally/savedPagesSquared``). The interval is the
/// estimate ± 1.96 standard errors, its low end raised to what the sample alone proves saved.
public struct SampledSaving: Sendable, Equatable, Codable {
    /// N.
    public var every: Int
    /// The estimated saved bytes, `(pages_sharing + ksm_zero_pages) × page size`, of all pages.
    public var savedBytes: Int
    /// The low end of the 95 % confidence interval.
    public var savedBytesLow: Int
    /// The high end of the 95 % confidence interval.
    public var savedBytesHigh: Int

    /// The normal quantile of a two-sided 95 % interval.
    public static let z95 = 1.959964

    /// Estimates from the tally of a 1/`every` sample.
    public init(tally: SteadyStateTally, every: Int, pageSize: Int) {
        let zero = tally.zeroOnlySavedPages
        self.init(
            zeroSavedPages: zero, sampledSavedPages: tally.pagesSharing + tally.ksmZeroPages - zero,
            savedPagesSquared: Double(tally.savedPagesSquared), every: every, pageSize: pageSize)
    }

    /// Estimates from the parts of a 1/`every` sample's saving: what the all-zero content saves
    /// (counted in full), what the sampled contents save, and the sum of the squares of each
    /// sampled content's saved pages. With `every` 1 the estimate is exact and the interval empty.
    public init(zeroSavedPages: Int, sampledSavedPages: Int, savedPagesSquared: Double, every: Int, pageSize: Int) {
        let zero = Double(zeroSavedPages)
        let sampled = Double(sampledSavedPages)
        let n = Double(every)
        let estimate = zero + n * sampled
        let error = Self.z95 * (n * (n - 1) * savedPagesSquared).squareRoot()
        let page = Double(pageSize)
        self.every = every
        savedBytes = Int((estimate * page).rounded())
        savedBytesLow = Int((max(zero + sampled, estimate - error) * page).rounded())
        savedBytesHigh = Int(((estimate + error) * page).rounded())
    }

    enum CodingKeys: String, CodingKey {
        case every
        case savedBytes = "saved_bytes"
        case savedBytesLow = "saved_bytes_low"
        case savedBytesHigh = "saved_bytes_high"
    }
}
