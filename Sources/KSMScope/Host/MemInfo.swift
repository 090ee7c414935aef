/// `/proc/meminfo`: the kernel's memory figures, by their names.
public struct MemInfo: Sendable, Equatable {
    /// Each field's value as written: kB for sizes, a count for `HugePages_*`.
    public var fields: [String: Int]

    /// Parses the text of `/proc/meminfo` (`Name:   123 kB` lines).
    public init(text: String) {
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let words = line[line.index(after: colon)...].split(separator: " ")
            if let first = words.first, let value = Int(first) { fields[String(line[..<colon])] = value }
        }
        self.fields = fields
    }

    /// Reads `/proc/meminfo` under `roots`.
    public static func read(_ roots: HostRoots) -> HostReading<MemInfo> {
        KernelFile.text(roots.proc("meminfo")).map(MemInfo.init(text:))
    }

    /// A size field in bytes (`MemAvailable`, `SwapFree`, ...); nil when absent.
    public func bytes(_ name: String) -> Int? { fields[name].map { $0 * 1024 } }
}
