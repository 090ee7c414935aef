import Foundation

/// How a chart axis is divided: a range widened to round numbers and ticks on them, and how
/// values are written.
struct ChartScale: Sendable {
    /// The lowest value on the axis.
    let lower: Double
    /// The highest value on the axis.
    let upper: Double
    /// Values with a tick and a grid line.
    let ticks: [Double]
    /// The value of one unit the labels count in (e.g. 1 MiB), so ticks read as small numbers.
    let unitValue: Double
    /// The unit's name for the axis title ("MiB", "s", "%").
    let unitName: String
    /// Whether values are placed by their logarithm, ticks on powers of ten.
    var logarithmic = false

    /// A scale from `lower` to at least `upper` with about `count` ticks on 1, 2 or 5 × 10^k
    /// steps of the unit.
    init(lower: Double = 0, upper: Double, count: Int = 5, unitValue: Double = 1, unitName: String) {
        self.unitValue = unitValue
        self.unitName = unitName
        let low = lower / unitValue
        let high = max(upper / unitValue, low + 1e-9)
        let step = Self.niceStep((high - low) / Double(max(1, count)))
        let first = (low / step).rounded(.down) * step
        var last = (high / step).rounded(.up) * step
        if last <= first { last = first + step }
        var ticks: [Double] = []
        var value = first
        while value <= last + step / 2 {
            ticks.append(value * unitValue)
            value += step
        }
        self.lower = first * unitValue
        self.upper = last * unitValue
        self.ticks = ticks
    }

    /// A logarithmic scale from the power of ten at or below `lower` to the one at or above
    /// `upper` (both positive), a tick on each power.
    init(logarithmicFrom lower: Double, to upper: Double, unitName: String) {
        let low = (log10(max(lower, 1e-9))).rounded(.down)
        let high = max(low + 1, (log10(max(upper, lower, 1e-9))).rounded(.up))
        self.lower = pow(10, low)
        self.upper = pow(10, high)
        ticks = stride(from: low, through: high, by: 1).map { pow(10, $0) }
        unitValue = 1
        self.unitName = unitName
        logarithmic = true
    }

    /// A scale of bytes in the binary unit that suits `upper` (B, KiB, MiB, GiB, TiB).
    static func bytes(upper: Double, count: Int = 5) -> ChartScale {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var unit = 0
        var value = 1.0
        while upper / value >= 1024 * 2, unit < units.count - 1 {
            value *= 1024
            unit += 1
        }
        return ChartScale(upper: max(upper, 1), count: count, unitValue: value, unitName: units[unit])
    }

    /// 1, 2 or 5 × 10^k, the first at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= raw * (1 - 1e-9) { return factor * power }
        return 10 * power
    }

    /// Where `value` falls between `lower` (0) and `upper` (1).
    func fraction(_ value: Double) -> Double {
        guard upper > lower else { return 0 }
        if logarithmic { return (log10(max(value, lower)) - log10(lower)) / (log10(upper) - log10(lower)) }
        return (value - lower) / (upper - lower)
    }

    /// A tick's label in the unit, without trailing zeros: "0", "2.5", "1000".
    func label(_ value: Double) -> String {
        if logarithmic, value >= 1e5 { return String(format: "1e%.0f", log10(value)) }
        let scaled = value / unitValue
        if abs(scaled - scaled.rounded()) < 1e-9 { return String(format: "%.0f", scaled) }
        var text = String(format: "%.2f", scaled)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
