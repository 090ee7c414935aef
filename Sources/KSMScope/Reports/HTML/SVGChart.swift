import Foundation

/// An inline SVG chart with two numeric axes: grid, ticks, axis titles with units, and series
/// drawn as lines (solid or dashed, straight or stepped), dots with labels and vertical
/// markers. Colours come from the report's CSS classes `s0` … `s4`, so one stylesheet serves
/// screen and print; dashes and labels tell series apart without colour.
struct SVGChart {
    /// The horizontal axis.
    let x: ChartScale
    /// The vertical axis.
    let y: ChartScale
    /// The horizontal axis' title, with its unit.
    let xTitle: String
    /// The vertical axis' title, with its unit.
    let yTitle: String
    /// What the chart shows, for screen readers.
    let description: String
    /// Width of the drawing, in CSS pixels (it scales down with the page).
    var width = 760.0
    /// Height of the drawing.
    var height = 300.0
    /// The series, markers and legend drawn so far.
    private var layers: [String] = []
    /// Markers drawn so far (their labels are stacked so they never overlap).
    private var markers = 0
    private var legendEntries: [(label: String, series: Int, dashed: Bool, dot: Bool)] = []

    /// Space around the plot area for ticks and titles.
    private let left = 74.0, right = 24.0, top = 16.0, bottom = 52.0

    /// A chart over `x` and `y`.
    init(x: ChartScale, y: ChartScale, xTitle: String, yTitle: String, description: String) {
        self.x = x
        self.y = y
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.description = description
    }

    private var plotWidth: Double { width - left - right }
    /// The legend's row below the axis title (kept even without a legend: series are placed
    /// as they are added, before the legend is known).
    private let legendHeight = 24.0
    private var plotHeight: Double { height - top - bottom - legendHeight }
    private func px(_ value: Double) -> Double { left + x.fraction(value) * plotWidth }
    private func py(_ value: Double) -> Double { top + (1 - y.fraction(value)) * plotHeight }

    /// A polyline through `points`; `step` draws horizontal-then-vertical steps (a counter
    /// sampled over time), `dashed` marks estimated or extrapolated parts.
    mutating func line(_ points: [(Double, Double)], series: Int, dashed: Bool = false, step: Bool = false, legend: String? = nil) {
        guard !points.isEmpty else { return }
        var coordinates: [String] = []
        var previous: (Double, Double)?
        for point in points {
            if step, let previous { coordinates.append("\(SVG.n(px(point.0))),\(SVG.n(py(previous.1)))") }
            coordinates.append("\(SVG.n(px(point.0))),\(SVG.n(py(point.1)))")
            previous = point
        }
        let dash = dashed ? " dashed" : ""
        layers.append(HTML.empty("polyline", ["class": "line s\(series)\(dash)", "points": coordinates.joined(separator: " ")]))
        if let legend { legendEntries.append((legend, series, dashed, false)) }
    }

    /// Dots at `points`, each with its label when given: points at the same place share one
    /// label, and labels alternate above-left and below-right so neighbours stay readable.
    mutating func dots(_ points: [(Double, Double)], series: Int, labels: [String]? = nil, legend: String? = nil) {
        var placed: [(x: Double, y: Double, label: String)] = []
        for (index, point) in points.enumerated() {
            let x = px(point.0), y = py(point.1)
            layers.append(HTML.empty("circle", ["class": "dot s\(series)", "cx": SVG.n(x), "cy": SVG.n(y), "r": "4"]))
            guard let label = labels?[index] else { continue }
            if let same = placed.firstIndex(where: { abs($0.x - x) < 0.5 && abs($0.y - y) < 0.5 }) {
                placed[same].label += ", " + label
            } else {
                placed.append((x, y, label))
            }
        }
        for (index, label) in placed.enumerated() {
            let above = index % 2 == 0
            layers.append(
                HTML.element(
                    "text",
                    ["class": "point-label", "x": SVG.n(above ? label.x - 6 : label.x + 7), "y": SVG.n(above ? label.y - 8 : label.y + 16),
                     "text-anchor": above ? "end" : "start"],
                    HTML.escape(label.label)))
        }
        if let legend { legendEntries.append((legend, series, false, true)) }
    }

    /// A dotted vertical line at `value` with a label beside its foot; the labels of later
    /// markers stack upwards.
    mutating func marker(at value: Double, label: String) {
        let position = SVG.n(px(value))
        layers.append(
            HTML.empty("line", ["class": "marker", "x1": position, "x2": position, "y1": SVG.n(top), "y2": SVG.n(top + plotHeight)]))
        let y = top + plotHeight - 8 - Double(markers) * 16
        layers.append(
            HTML.element("text", ["class": "marker-label", "x": SVG.n(px(value) + 5), "y": SVG.n(y)], HTML.escape(label)))
        markers += 1
    }

    /// The chart as an `<svg>` element.
    func render() -> String {
        var parts: [String] = []
        // Grid and tick labels.
        for tick in y.ticks {
            let position = SVG.n(py(tick))
            parts.append(
                HTML.empty("line", ["class": "grid", "x1": SVG.n(left), "x2": SVG.n(left + plotWidth), "y1": position, "y2": position]))
            parts.append(
                HTML.element(
                    "text", ["class": "tick", "x": SVG.n(left - 6), "y": SVG.n(py(tick) + 4), "text-anchor": "end"],
                    y.label(tick)))
        }
        parts.append(SVG.horizontalAxisTicks(x, x: px, top: top, bottom: top + plotHeight))
        // Axes and their titles.
        parts.append(
            HTML.empty(
                "polyline",
                ["class": "axis", "points": "\(SVG.n(left)),\(SVG.n(top)) \(SVG.n(left)),\(SVG.n(top + plotHeight)) \(SVG.n(left + plotWidth)),\(SVG.n(top + plotHeight))"]))
        parts.append(
            HTML.element(
                "text", ["class": "axis-title", "x": SVG.n(left + plotWidth / 2), "y": SVG.n(height - 8 - legendHeight), "text-anchor": "middle"],
                HTML.escape(xTitle)))
        let middle = top + plotHeight / 2
        parts.append(
            HTML.element(
                "text",
                ["class": "axis-title", "x": "16", "y": SVG.n(middle), "text-anchor": "middle",
                 "transform": "rotate(-90 16 \(SVG.n(middle)))"],
                HTML.escape(yTitle)))
        parts += layers
        // Legend, in a row below the axis title.
        var legendX = left
        // Entries wrap onto further rows below the chart when a row is full.
        var lineY = height - 10
        for entry in legendEntries {
            let entryWidth = 50 + Double(entry.label.count) * 7.4
            if legendX > left, legendX + entryWidth > width - right {
                legendX = left
                lineY += 18
            }
            if entry.dot {
                parts.append(
                    HTML.empty("circle", ["class": "dot s\(entry.series)", "cx": SVG.n(legendX + 13), "cy": SVG.n(lineY - 4), "r": "4"]))
            } else {
                parts.append(
                    HTML.empty(
                        "line",
                        ["class": "line s\(entry.series)\(entry.dashed ? " dashed" : "")", "x1": SVG.n(legendX),
                         "x2": SVG.n(legendX + 26), "y1": SVG.n(lineY - 4), "y2": SVG.n(lineY - 4)]))
            }
            parts.append(
                HTML.element("text", ["class": "legend", "x": SVG.n(legendX + 32), "y": SVG.n(lineY)], HTML.escape(entry.label)))
            legendX += entryWidth
        }
        return SVG.root(width: width, height: lineY + 10, title: description, parts.joined())
    }
}
