import ArgumentParser

/// A duration given as `90`, `90s`, `5m`, `1.5h` or `2d`: seconds by default.
struct DurationArgument: ExpressibleByArgument {
    /// The duration in seconds.
    var seconds: Double

    init?(argument: String) {
        let units: [(suffix: String, seconds: Double)] = [
            ("ms", 0.001), ("s", 1), ("min", 60), ("m", 60), ("h", 3600), ("d", 86400),
        ]
        let text = argument.lowercased()
        let unit = units.first { text.hasSuffix($0.suffix) && Double(text.dropLast($0.suffix.count)) != nil }
        guard let value = Double(unit.map { String(text.dropLast($0.suffix.count)) } ?? text), value.isFinite else {
            return nil
        }
        seconds = value * (unit?.seconds ?? 1)
    }
}
