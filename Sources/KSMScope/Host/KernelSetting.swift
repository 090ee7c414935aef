/// One kernel file read by name, such as `pages_to_scan` under `/sys/kernel/mm/ksm`.
public struct KernelSetting: Sendable, Equatable {
    /// The file's name.
    public var name: String
    /// What it holds (for a choice, the selected value).
    public var value: HostReading<String>

    /// Pairs a name with its reading.
    public init(name: String, value: HostReading<String>) {
        self.name = name
        self.value = value
    }

    /// Reads the files `names` in `folder`, in that order, leaving out those that do not exist.
    public static func read(_ names: [String], in folder: String) -> [KernelSetting] {
        names.compactMap { name in
            let value = KernelFile.value(folder + "/" + name)
            if case .missing = value { return nil }
            return KernelSetting(name: name, value: value)
        }
    }

    /// `name value` pairs joined by commas; a file that could not be read shows as `name ?`.
    public static func list(_ settings: [KernelSetting]) -> String {
        settings.map { "\($0.name) \($0.value.value ?? "?")" }.joined(separator: ", ")
    }
}
