import Foundation

/// An inline SVG heat map of a square matrix: one cell per pair, shaded by value from white to
/// the darkest blue, the diagonal in its own hue (it means something else; say so beside the
/// map), labels on both axes, a colour scale with its unit, and the values written in the
/// cells when they fit.
struct SVGHeatMap {
    /// Row and column names.
    let labels: [String]
    /// `values[i][j]`.
    let values: [[Double]]
    /// The colour scale's axis (its unit and ticks).
    let scale: ChartScale
    /// What the chart shows, for screen readers.
    let description: String

    /// Off-diagonal shade: white to blue.
    private static func shade(_ fraction: Double) -> String {
        let f = min(1, max(0, fraction))
        let r = Int(255 - f * (255 - 8)), g = Int(255 - f * (255 - 69)), b = Int(255 - f * (255 - 148))
        return String(format: "#%02x%02x%02x", r, g, b)
    }

    /// Diagonal shade: white to orange.
    private static func diagonalShade(_ fraction: Double) -> String {
        let f = min(1, max(0, fraction))
        let r = Int(255 - f * (255 - 217)), g = Int(255 - f * (255 - 95)), b = Int(255 - f * (255 - 2))
        return String(format: "#%02x%02x%02x", r, g, b)
    }

    /// The chart as an `<svg>` element.
    func render() -> String {
        let count = labels.count
        let labelSpace = 150.0
        let cell = max(14, min(44, 560 / Double(max(1, count))))
        let grid = cell * Double(count)
        let width = labelSpace + grid + 150
        let height = labelSpace + grid + 34
        let showValues = cell >= 40
        var parts: [String] = []
        let diagonalMaximum = max(1, (0..<count).map { values[$0][$0] }.max() ?? 1)
        for row in 0..<count {
            for column in 0..<count {
                let value = values[row][column]
                let fill = row == column ? Self.diagonalShade(value / diagonalMaximum) : Self.shade(scale.fraction(value))
                let x = labelSpace + Double(column) * cell, y = labelSpace + Double(row) * cell
                parts.append(
                    HTML.empty("rect", ["class": "cell", "x": SVG.n(x), "y": SVG.n(y), "width": SVG.n(cell), "height": SVG.n(cell), "fill": fill]))
                if showValues {
                    let dark = row != column && scale.fraction(value) > 0.55
                    parts.append(
                        HTML.element(
                            "text",
                            ["class": dark ? "cell-value light" : "cell-value", "x": SVG.n(x + cell / 2), "y": SVG.n(y + cell / 2 + 4),
                             "text-anchor": "middle"],
                            scale.label(value)))
                }
            }
        }
        for (index, label) in labels.enumerated() {
            let middle = labelSpace + (Double(index) + 0.5) * cell
            parts.append(
                HTML.element(
                    "text", ["class": "tick", "x": SVG.n(labelSpace - 6), "y": SVG.n(middle + 4), "text-anchor": "end"],
                    HTML.escape(label)))
            parts.append(
                HTML.element(
                    "text",
                    ["class": "tick", "x": SVG.n(middle + 4), "y": SVG.n(labelSpace - 6), "text-anchor": "start",
                     "transform": "rotate(-60 \(SVG.n(middle + 4)) \(SVG.n(labelSpace - 6)))"],
                    HTML.escape(label)))
        }
        parts.append(
            HTML.element(
                "text", ["class": "axis-title", "x": SVG.n(labelSpace + grid / 2), "y": SVG.n(labelSpace + grid + 22), "text-anchor": "middle"],
                "guest (column) with guest (row)"))
        // Colour scale.
        let barX = labelSpace + grid + 30
        let steps = 20
        for step in 0..<steps {
            let fraction = 1 - Double(step) / Double(steps)
            parts.append(
                HTML.empty(
                    "rect",
                    ["x": SVG.n(barX), "y": SVG.n(labelSpace + Double(step) * grid / Double(steps)), "width": "16",
                     "height": SVG.n(grid / Double(steps) + 0.5), "fill": Self.shade(fraction)]))
        }
        for tick in scale.ticks {
            let y = labelSpace + (1 - scale.fraction(tick)) * grid
            parts.append(HTML.element("text", ["class": "tick", "x": SVG.n(barX + 22), "y": SVG.n(y + 4)], scale.label(tick)))
        }
        // Upright beside the bar's ticks: above it the last column's slanted label runs into
        // it, below it the grid's axis title.
        let titleX = barX + 62, titleY = labelSpace + grid / 2
        parts.append(
            HTML.element(
                "text",
                ["class": "axis-title", "x": SVG.n(titleX), "y": SVG.n(titleY), "text-anchor": "middle",
                 "transform": "rotate(90 \(SVG.n(titleX)) \(SVG.n(titleY)))"],
                HTML.escape("saved (\(scale.unitName))")))
        return SVG.root(width: width, height: height, class: "chart heatmap", title: description, parts.joined())
    }
}
