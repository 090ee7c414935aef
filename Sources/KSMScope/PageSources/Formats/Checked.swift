/// Overflow-checked arithmetic on values taken from dump headers, which are untrusted.
///
/// Each returns `nil` instead of trapping, so a header claiming 2^60 pages becomes an error
/// message rather than a crash.
enum Checked {
    /// `a + b`, or nil on overflow.
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    /// `a * b`, or nil on overflow.
    static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }

    /// The value as an `Int`, or nil when it does not fit.
    static func int<T: BinaryInteger>(_ value: T) -> Int? { Int(exactly: value) }
}
