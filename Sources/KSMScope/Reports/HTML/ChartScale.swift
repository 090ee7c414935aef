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
    func fraction(_ value: Double) -> Double { upper > lower ? (value - lower) / (upper - lower) : 0 }

    /// A tick's label in the unit, without trailing zeros: "0", "2.5", "1000".
    func label(_ value: Double) -> String {
        let scaled = value / unitValue
        if abs(scaled - scaled.rounded()) < 1e-9 { return String(format: "%.0f", scaled) }
        var text = String(format: "%.2f", scaled)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
