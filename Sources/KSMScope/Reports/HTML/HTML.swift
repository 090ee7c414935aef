/// Small builders for the self-contained HTML reports: escaped text, elements and tables.
///
/// The output is polyglot markup: valid HTML5 and well-formed XML (every element closed, every
/// attribute quoted, no named entities), so a strict XML parser can check a report.
enum HTML {
    /// `text` with `&`, `<`, `>` and `"` escaped, for element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    /// An element with attributes (values escaped) around `content` (already markup).
    static func element(_ name: String, _ attributes: KeyValuePairs<String, String>, _ content: String) -> String {
        "<\(name)\(attributeText(attributes))>\(content)</\(name)>"
    }

    /// An element without attributes around `content` (already markup).
    static func element(_ name: String, _ content: String) -> String { "<\(name)>\(content)</\(name)>" }

    /// An empty element, closed XML-style (`<meta charset="utf-8"/>`).
    static func empty(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) -> String {
        "<\(name)\(attributeText(attributes))/>"
    }

    /// A paragraph of plain text.
    static func paragraph(_ text: String, class name: String? = nil) -> String {
        name.map { element("p", ["class": $0], escape(text)) } ?? element("p", escape(text))
    }

    /// A table of plain-text cells; columns listed in `numeric` are right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], caption: String? = nil) -> String {
        func cells(_ row: [String], tag: String) -> String {
            row.enumerated().map { index, cell in
                numeric.contains(index) ? element(tag, ["class": "num"], escape(cell)) : element(tag, escape(cell))
            }.joined()
        }
        var body = caption.map { element("caption", escape($0)) } ?? ""
        body += element("thead", element("tr", cells(header, tag: "th")))
        body += element("tbody", rows.map { element("tr", cells($0, tag: "td")) }.joined())
        return element("table", body)
    }

    /// A section with an id and a heading, around `content`.
    static func section(id: String, title: String, _ content: String) -> String {
        element("section", ["id": id], element("h2", escape(title)) + content)
    }

    private static func attributeText(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }
}
