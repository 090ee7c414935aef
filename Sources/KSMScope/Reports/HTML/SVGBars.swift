import Foundation

/// An inline SVG chart of horizontal bars, one row per category, each bar made of coloured
/// segments (classes `s0` … `s4`), with a value axis, its title and unit, and each row's total
/// written at the end of its bar.
struct SVGBars {
    /// One row.
    struct Row {
        /// The category, left of the bar.
        var label: String
        /// The segments, left to right: value and colour class.
        var segments: [(value: Double, series: Int)]
        /// Text written after the bar (its total, formatted).
        var note: String
    }

    /// The rows, top to bottom.
    let rows: [Row]
    /// The value axis.
    let scale: ChartScale
    /// The value axis' title, with its unit.
    let title: String
    /// What the chart shows, for screen readers.
    let description: String
    /// Segment legend: label and colour class.
    var legend: [(label: String, series: Int)] = []
    /// Width of the drawing.
    var width = 760.0

    private let labelWidth = 170.0, right = 120.0, rowHeight = 30.0, top = 8.0

    private static func n(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The chart as an `<svg>` element.
    func render() -> String {
        let plotWidth = width - labelWidth - right
        let legendHeight = legend.isEmpty ? 0.0 : 24.0
        let plotHeight = Double(rows.count) * rowHeight
        let height = top + plotHeight + 48 + legendHeight
        func px(_ value: Double) -> Double { labelWidth + scale.fraction(value) * plotWidth }
        var parts = [HTML.element("title", HTML.escape(description))]
        for tick in scale.ticks {
            let position = Self.n(px(tick))
            parts.append(
                HTML.empty("line", ["class": "grid", "x1": position, "x2": position, "y1": Self.n(top), "y2": Self.n(top + plotHeight)]))
            parts.append(
                HTML.element(
                    "text", ["class": "tick", "x": position, "y": Self.n(top + plotHeight + 16), "text-anchor": "middle"],
                    scale.label(tick)))
        }
        for (index, row) in rows.enumerated() {
            let rowTop = top + Double(index) * rowHeight
            parts.append(
                HTML.element(
                    "text", ["class": "bar-label", "x": Self.n(labelWidth - 8), "y": Self.n(rowTop + 19), "text-anchor": "end"],
                    HTML.escape(row.label)))
            var start = 0.0
            for segment in row.segments where segment.value > 0 {
                let x0 = px(start)
                let x1 = px(start + segment.value)
                parts.append(
                    HTML.empty(
                        "rect",
                        ["class": "bar s\(segment.series)", "x": Self.n(x0), "y": Self.n(rowTop + 5), "width": Self.n(max(0.5, x1 - x0)),
                         "height": Self.n(rowHeight - 10)]))
                start += segment.value
            }
            parts.append(
                HTML.element("text", ["class": "bar-note", "x": Self.n(px(start) + 6), "y": Self.n(rowTop + 19)], HTML.escape(row.note)))
        }
        parts.append(
            HTML.empty(
                "line",
                ["class": "axis", "x1": Self.n(labelWidth), "x2": Self.n(labelWidth), "y1": Self.n(top), "y2": Self.n(top + plotHeight)]))
        parts.append(
            HTML.element(
                "text",
                ["class": "axis-title", "x": Self.n(labelWidth + plotWidth / 2), "y": Self.n(top + plotHeight + 38), "text-anchor": "middle"],
                HTML.escape(title)))
        var legendX = labelWidth
        for entry in legend {
            let y = top + plotHeight + 48 + 10
            parts.append(HTML.empty("rect", ["class": "bar s\(entry.series)", "x": Self.n(legendX), "y": Self.n(y - 10), "width": "14", "height": "12"]))
            parts.append(HTML.element("text", ["class": "legend", "x": Self.n(legendX + 20), "y": Self.n(y)], HTML.escape(entry.label)))
            legendX += 36 + Double(entry.label.count) * 7
        }
        return HTML.element(
            "svg",
            ["class": "chart", "viewBox": "0 0 \(Self.n(width)) \(Self.n(height))",
             "style": "max-width: \(Self.n(width))px", "role": "img",
             "xmlns": "http://www.w3.org/2000/svg"],
            parts.joined())
    }
}
