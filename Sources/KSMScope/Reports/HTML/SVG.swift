import Foundation

/// Pieces every inline SVG chart of the reports shares: numbers, the root element, the grid and
/// labels of a horizontal value axis, and legend swatches.
enum SVG {
    /// A coordinate with one decimal.
    static func n(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The `<svg>` element of a chart `width` × `height` units large, drawn at most that many
    /// CSS pixels wide (never enlarged), with `title` for screen readers.
    static func root(width: Double, height: Double, class name: String = "chart", title: String, _ content: String) -> String {
        HTML.element(
            "svg",
            ["class": name, "viewBox": "0 0 \(n(width)) \(n(height))", "style": "max-width: \(n(width))px", "role": "img",
             "xmlns": "http://www.w3.org/2000/svg"],
            HTML.element("title", HTML.escape(title)) + content)
    }

    /// A vertical grid line and a label below the plot for each tick of `scale`, placed by `x`.
    static func horizontalAxisTicks(_ scale: ChartScale, x: (Double) -> Double, top: Double, bottom: Double) -> String {
        scale.ticks.map { tick in
            let position = n(x(tick))
            return HTML.empty("line", ["class": "grid", "x1": position, "x2": position, "y1": n(top), "y2": n(bottom)])
                + HTML.element("text", ["class": "tick", "x": position, "y": n(bottom + 16), "text-anchor": "middle"], scale.label(tick))
        }.joined()
    }

    /// A legend entry: a small filled square (CSS class `swatch` or a fill colour) and its label.
    static func swatch(x: Double, y: Double, class name: String? = nil, fill: String? = nil, label: String) -> String {
        let square: String =
            if let name {
                HTML.empty("rect", ["class": name, "x": n(x), "y": n(y - 10), "width": "14", "height": "12"])
            } else {
                HTML.empty("rect", ["x": n(x), "y": n(y - 10), "width": "14", "height": "12", "fill": fill ?? "#000"])
            }
        return square + HTML.element("text", ["class": "legend", "x": n(x + 20), "y": n(y)], HTML.escape(label))
    }
}
