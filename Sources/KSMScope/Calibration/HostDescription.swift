#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// The machine a ``KsmdProfile`` was measured on.
public struct HostDescription: Sendable, Equatable, Codable {
    /// `model name` from `/proc/cpuinfo`.
    public var cpuModel: String
    /// Online CPUs.
    public var cores: Int
    /// `uname -r`.
    public var kernelRelease: String
    /// `CONFIG_HZ`: the timer frequency sleeps are rounded to.
    public var hz: Int
    /// The kernel's base page size, bytes.
    public var pageSize: Int
    /// When the profile was made, ISO 8601 (UTC).
    public var date: String
    /// The 1-minute load average when the measurement started: other work on the CPUs slows
    /// ksmd (nice 5) down, and the profile's `cpu_availability` and `wake_latency_ns` say by
    /// how much.
    public var loadAverage: Double?

    /// Creates a description.
    public init(
        cpuModel: String, cores: Int, kernelRelease: String, hz: Int, pageSize: Int, date: String,
        loadAverage: Double? = nil
    ) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.kernelRelease = kernelRelease
        self.hz = hz
        self.pageSize = pageSize
        self.date = date
        self.loadAverage = loadAverage
    }

    /// This machine now; `hz` as given (measured), else read from the kernel's configuration.
    public static func current(hz: Int? = nil) -> HostDescription {
        HostDescription(
            cpuModel: cpuModelName(), cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), kernelRelease: kernelRelease(),
            hz: hz ?? configuredHZ() ?? SimulatorTunables.defaults.hz, pageSize: Int(sysconf(Int32(_SC_PAGESIZE))),
            date: isoDate(Date()), loadAverage: loadAverage())
    }

    /// A date as `2026-01-31T12:00:00Z`.
    static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The first `model name` of `/proc/cpuinfo` (`unknown` if absent).
    static func cpuModelName() -> String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// `uname -r`.
    static func kernelRelease() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &names.release) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// The 1-minute load average.
    static func loadAverage() -> Double? {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) >= 1 ? loads[0] : nil
    }

    /// `CONFIG_HZ` from `/proc/config.gz` or `/boot/config-RELEASE`, if either is readable.
    public static func configuredHZ() -> Int? {
        let text = GzipFile.text(path: "/proc/config.gz")
            ?? (try? String(contentsOfFile: "/boot/config-\(kernelRelease())", encoding: .utf8))
        guard let text else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("CONFIG_HZ=") {
            return Int(line.dropFirst("CONFIG_HZ=".count))
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case cores, hz, date
        case cpuModel = "cpu_model"
        case kernelRelease = "kernel_release"
        case pageSize = "page_size"
        case loadAverage = "load_average"
    }
}
