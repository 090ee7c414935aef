extension HostReport {
    /// The report for a terminal of 80 columns: per area, one line per check (status, name,
    /// what was read), then what it means and the fix, indented; a summary last.
    public var text: String {
        let width = 80
        let nameWidth = 18
        let readColumn = 2 + 6 + nameWidth + 2
        let indent = String(repeating: " ", count: 8)
        var out = "ksmscope host: kernel \(host.kernel ?? "unknown"), page size \(host.pageSize) bytes\n"
        if host.sysfsRoot != "/sys" || host.procRoot != "/proc" {
            for line in Self.wrap("read from \(host.sysfsRoot) as /sys and \(host.procRoot) as /proc", width: width) {
                out += line + "\n"
            }
        }
        for area in HostCheck.Area.allCases {
            let checks = checks.filter { $0.area == area }
            guard !checks.isEmpty else { continue }
            out += "\n\(Self.title(area))\n"
            for check in checks {
                var line = "  " + check.status.rawValue + String(repeating: " ", count: 6 - check.status.rawValue.count) + check.name
                if check.name.count > nameWidth {
                    out += line + "\n"
                    line = String(repeating: " ", count: readColumn)
                } else {
                    line += String(repeating: " ", count: readColumn - line.count)
                }
                let readLines = Self.wrap(check.read, width: width - readColumn, byItem: true)
                out += line + (readLines.first ?? "") + "\n"
                for more in readLines.dropFirst() { out += String(repeating: " ", count: readColumn) + more + "\n" }
                for detailLine in Self.wrap(check.detail, width: width - indent.count) { out += indent + detailLine + "\n" }
                // Commands are not wrapped, so that they can be copied whole.
                for (index, fix) in check.fix.enumerated() {
                    out += indent + (index == 0 ? "fix: " : "     ") + fix + "\n"
                }
            }
        }
        out +=
            "\n\(summary.fail) fail, \(summary.warn) warn, \(summary.ok) ok: "
            + (summary.fail > 0 ? "exit status 1" : "exit status 0") + " (warnings do not change it)\n"
        return out
    }

    /// An area's heading.
    private static func title(_ area: HostCheck.Area) -> String {
        switch area {
        case .virtualization: "Hardware memory virtualization"
        case .hugePages: "Huge pages"
        case .ksm: "KSM"
        case .qemu: "QEMU processes"
        case .overcommit: "Overcommit"
        }
    }

    /// `text` broken into lines of at most `width` characters at spaces; with `byItem`, at the
    /// list separators (`, ` and `; `) where possible, so that a name stays with its value. A
    /// word longer than a line (a long path) is cut.
    static func wrap(_ text: String, width: Int, byItem: Bool = false) -> [String] {
        // Items end after a separator; an item longer than a line is broken at its spaces.
        var items: [String] = []
        var item = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            item.append(character)
            let separator = byItem ? [Character(","), ";"] : []
            if character == " ", index > 0, separator.contains(characters[index - 1]) || !byItem {
                items.append(String(item.dropLast()))
                item = ""
            }
        }
        if !item.isEmpty { items.append(item) }
        var pieces: [String] = []
        for item in items {
            if item.count <= width {
                pieces.append(item)
                continue
            }
            for word in item.split(separator: " ") {
                var word = Substring(word)
                while word.count > width {
                    pieces.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                pieces.append(String(word))
            }
        }
        var lines: [String] = []
        var line = ""
        for piece in pieces {
            if line.isEmpty {
                line = piece
            } else if line.count + 1 + piece.count <= width {
                line += " " + piece
            } else {
                lines.append(line)
                line = piece
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
