import Foundation
import FoundationXML
import Testing

@testable import KSMScope

/// The HTML report: one self-contained, well-formed page with every section and chart for the
/// inputs given, and nothing loaded from outside it.
@Suite("Plan report HTML")
struct PlanReportHTMLTests {
    /// What a strict XML parse of the page finds.
    final class Outline: NSObject, XMLParserDelegate {
        var sections: [String] = []
        var elements: [String: Int] = [:]
        /// Per `<svg>`: the text of its axis titles.
        var charts: [[String]] = []
        var insideAxisTitle = false
        var attributeValues: [String] = []

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements[name, default: 0] += 1
            attributeValues += attributes.map { "\($0.key)=\($0.value)" }
            if name == "section", let id = attributes["id"] { sections.append(id) }
            if name == "svg" { charts.append([]) }
            insideAxisTitle = name == "text" && attributes["class"] == "axis-title"
            if insideAxisTitle { charts[charts.count - 1].append("") }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if insideAxisTitle { charts[charts.count - 1][charts[charts.count - 1].count - 1] += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            insideAxisTitle = false
        }
    }

    /// Parses `html` strictly; fails the test on the first error.
    static func outline(_ html: String) throws -> Outline {
        let parser = XMLParser(data: Data(html.utf8))
        let outline = Outline()
        parser.delegate = outline
        let parsed = parser.parse()
        #expect(parsed, "not well-formed: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
        return outline
    }

    /// A plan of a generated fleet with a churn timeline, optionally placed on two hosts.
    static func plan(hosts: Int?) throws -> CapacityPlan {
        let scratch = try GeneratorScratch()
        let (folder, _, _) = try generate(try featureSpec(count: 2), steps: 2, into: scratch)
        let guests = try GuestInputs(paths: [folder + "/timeline.json"]).guests()
        let job = CapacityPlanning(
            host: try HostSpec(hostMemory: 24 << 20, reserved: 2 << 20, guestOverhead: 1 << 20),
            simulation: .init(configuration: .init(threads: 2)), hosts: hosts)
        return try job.run(guests: guests, images: try job.openImages(guests))
    }

    @Test("the page parses, holds every section and chart, each chart's axes titled with units", arguments: [nil, 2] as [Int?])
    func sectionsAndCharts(hosts: Int?) throws {
        let plan = try Self.plan(hosts: hosts)
        let html = plan.html
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html"))
        let outline = try Self.outline(html)
        var expected = [
            "summary", "savings-by-kind", "heat-map", "sharing-curve", "convergence", "capacity", "overcommit", "policies",
            "huge-pages",
        ]
        if hosts != nil { expected.append("placement") }
        #expect(outline.sections.filter { $0 != "notes" } == expected)
        // Charts: savings, heat map, sharing curve, convergence, overcommit, policies, huge pages (+ placement).
        #expect(outline.charts.count == (hosts == nil ? 7 : 8))
        for (index, titles) in outline.charts.enumerated() {
            #expect(!titles.isEmpty, "chart \(index) has no axis title")
            for title in titles {
                #expect(title.contains("(") && title.hasSuffix(")"), "chart \(index): axis title without a unit: \(title)")
            }
        }
        // The heat map, the sharing curve, convergence and the huge-page chart name two axes.
        #expect(outline.charts.filter { $0.count == 2 }.count == 4)
        #expect(html.contains(HTML.escape(plan.verdict)))
        #expect(html.contains("ram_allocation_ratio = \(String(format: "%.2f", plan.ramAllocationRatio))"))
        #expect((outline.elements["table"] ?? 0) >= 7)
    }

    @Test("nothing is loaded from outside the file: no script, no source, no link, no URL in the style")
    func selfContained() throws {
        let html = try Self.plan(hosts: 2).html
        let outline = try Self.outline(html)
        for name in ["script", "img", "link", "iframe", "object", "embed", "image", "use", "a"] {
            #expect(outline.elements[name] == nil, "<\(name)> in the report")
        }
        for attribute in outline.attributeValues {
            let name = attribute.split(separator: "=")[0]
            #expect(!["src", "href", "xlink:href", "srcset", "action", "data"].contains(name), "\(attribute)")
        }
        let lower = html.lowercased()
        for pattern in ["<script", "src=", "href=", "url(", "@import", "@font-face", "http://", "https://"] {
            // The two namespace declarations are names, not fetches.
            let count = lower.components(separatedBy: pattern).count - 1
            let allowed = pattern == "http://" ? lower.components(separatedBy: "xmlns=\"http://").count - 1 : 0
            #expect(count == allowed, "\(pattern) appears \(count) times")
        }
    }

    @Test("text that looks like markup is escaped")
    func escaping() throws {
        #expect(HTML.escape("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;")
        let table = HTML.table(["<x>"], [["&"]])
        let outline = try Self.outline("<div>" + table + "</div>")
        #expect(outline.elements["td"] == 1)
    }

    @Test("chart scales: round ticks covering the range, binary units")
    func scales() {
        let scale = ChartScale.bytes(upper: 23.93 * 1_048_576)
        #expect(scale.unitName == "MiB")
        #expect(scale.ticks.first == 0 && scale.upper >= 23.93 * 1_048_576)
        #expect(scale.ticks.map { scale.label($0) } == ["0", "5", "10", "15", "20", "25"])
        #expect(ChartScale.niceStep(0.7) == 1 && ChartScale.niceStep(1.3) == 2 && ChartScale.niceStep(3) == 5)
        let small = ChartScale(upper: 3, count: 5, unitName: "guests")
        #expect(small.ticks.allSatisfy { $0 == $0.rounded() || small.label($0).contains(".") })
    }
}
