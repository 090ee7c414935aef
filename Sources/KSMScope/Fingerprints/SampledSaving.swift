/// The saving of the whole set estimated from a content-based sample (`--sample 1/N`), with a
/// 95 % confidence interval.
///
/// Each content that is not all zero is in the sample with probability p = 1/N, independently
/// of the others (its hash decides), with all its copies. The Horvitz-Thompson estimator of
/// the saving is the zero content's saving (always counted in full) plus N times the saving of
/// the sampled contents; its variance is estimated without bias by N(N−1) Σ s², s being each
/// sampled content's saved pages (``SteadyStateTally/savedPagesSquared``).
///
/// The interval is Fay and Feuer's gamma interval for a weighted sum of counts, with the mean
/// weight v/y in place of the largest (Tiwari et al.): the estimate y of the sampled contents'
/// part, of variance v, is taken as gamma distributed. Unlike estimate ± 1.96 standard errors
/// it stays honest when a few sampled contents carry the saving: the standard error estimated
/// from a sample that caught few of them is small exactly when the estimate is low, and the
/// normal interval then misses the truth far more often than 5 % (85 of 100 generated fleets
/// covered for the intra-image saving, which comes from a few dozen contents; 96 with this one).
/// The low end is raised to what the sample alone proves saved.
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
        let y = n * sampled
        let v = n * (n - 1) * savedPagesSquared
        var low = y
        var high = y
        if y > 0 && v > 0 {
            let weight = v / y
            low = v / (2 * y) * Self.chiSquareQuantile(degrees: 2 * y * y / v, z: -Self.z95)
            high =
                (v + weight * weight) / (2 * (y + weight))
                * Self.chiSquareQuantile(degrees: 2 * (y + weight) * (y + weight) / (v + weight * weight), z: Self.z95)
        }
        let page = Double(pageSize)
        self.every = every
        savedBytes = Int(((zero + y) * page).rounded())
        savedBytesLow = Int(((zero + min(y, max(sampled, low))) * page).rounded())
        savedBytesHigh = Int(((zero + max(y, high)) * page).rounded())
    }

    /// The quantile of the chi-square distribution with `degrees` (any positive real) degrees
    /// of freedom at the normal quantile `z`, by Wilson and Hilferty's cube-root approximation
    /// (within a few percent from one degree of freedom on; clamped at 0 below).
    static func chiSquareQuantile(degrees: Double, z: Double) -> Double {
        let a = 2 / (9 * degrees)
        let root = 1 - a + z * a.squareRoot()
        return degrees * max(0, root) * max(0, root) * max(0, root)
    }

    enum CodingKeys: String, CodingKey {
        case every
        case savedBytes = "saved_bytes"
        case savedBytesLow = "saved_bytes_low"
        case savedBytesHigh = "saved_bytes_high"
    }
}
