/// smart_scan's skip schedule (`should_skip_rmap_item()`, v6.7+): pages that keep failing to
/// merge are processed ever more rarely.
///
/// Each visit of a page that is not a KSM page ages its rmap item (saturating at 255). Until
/// age 3 the page is always processed; then, whenever its skip budget is used up, it is
/// processed once and given a new budget of `skip_age(age)` skips: 1 up to age 3, 2 up to 5,
/// 4 up to 8, then 8. A never-merging page is so processed on visits 0, 1, 2, 3, 5, 8, 13, 22,
/// 31, 40, … — 1 in 9 full scans after the warm-up. KSM pages are never skipped.
public enum SmartScan {
    /// `skip_age()`: the skips granted after processing a page of this age.
    public static func skipAge(_ age: UInt8) -> UInt8 {
        if age <= 3 { return 1 }
        if age <= 5 { return 2 }
        if age <= 8 { return 4 }
        return 8
    }

    /// `should_skip_rmap_item()` for a page that is not a KSM page: updates the item's age and
    /// skip budget and tells whether this visit is skipped.
    @inline(__always)
    public static func shouldSkip(age: inout UInt8, remainingSkips: inout UInt8) -> Bool {
        let current = age
        if current != .max { age = current &+ 1 }
        if current < 3 { return false }
        if remainingSkips == 0 {
            remainingSkips = skipAge(current)
            return false
        }
        remainingSkips -= 1
        return true
    }

    /// The visits (0-based) on which a page that never merges is processed, among the first
    /// `visits` visits.
    public static func processedVisits(first visits: Int) -> [Int] {
        var age: UInt8 = 0
        var remaining: UInt8 = 0
        return (0..<visits).filter { _ in !shouldSkip(age: &age, remainingSkips: &remaining) }
    }
}
