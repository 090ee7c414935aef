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

    /// The chart as an `<svg>` element.
    func render() -> String {
        let plotWidth = width - labelWidth - right
        let legendHeight = legend.isEmpty ? 0.0 : 24.0
        let plotHeight = Double(rows.count) * rowHeight
        let height = top + plotHeight + 48 + legendHeight
        func px(_ value: Double) -> Double { labelWidth + scale.fraction(value) * plotWidth }
        var parts = [SVG.horizontalAxisTicks(scale, x: px, top: top, bottom: top + plotHeight)]
        for (index, row) in rows.enumerated() {
            let rowTop = top + Double(index) * rowHeight
            parts.append(
                HTML.element(
                    "text", ["class": "bar-label", "x": SVG.n(labelWidth - 8), "y": SVG.n(rowTop + 19), "text-anchor": "end"],
                    HTML.escape(row.label)))
            var start = 0.0
            for segment in row.segments where segment.value > 0 {
                let x0 = px(start)
                let x1 = px(start + segment.value)
                parts.append(
                    HTML.empty(
                        "rect",
                        ["class": "bar s\(segment.series)", "x": SVG.n(x0), "y": SVG.n(rowTop + 5), "width": SVG.n(max(0.5, x1 - x0)),
                         "height": SVG.n(rowHeight - 10)]))
                start += segment.value
            }
            parts.append(
                HTML.element("text", ["class": "bar-note", "x": SVG.n(px(start) + 6), "y": SVG.n(rowTop + 19)], HTML.escape(row.note)))
        }
        parts.append(
            HTML.empty(
                "line",
                ["class": "axis", "x1": SVG.n(labelWidth), "x2": SVG.n(labelWidth), "y1": SVG.n(top), "y2": SVG.n(top + plotHeight)]))
        parts.append(
            HTML.element(
                "text",
                ["class": "axis-title", "x": SVG.n(labelWidth + plotWidth / 2), "y": SVG.n(top + plotHeight + 38), "text-anchor": "middle"],
                HTML.escape(title)))
        var legendX = labelWidth
        for entry in legend {
            let y = top + plotHeight + 48 + 10
            parts.append(SVG.swatch(x: legendX, y: y, class: "bar s\(entry.series)", label: entry.label))
            legendX += 36 + Double(entry.label.count) * 7
        }
        return SVG.root(width: width, height: height, title: description, parts.joined())
    }
}
