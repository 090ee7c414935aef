/// Which memory of a live process is read as its image.
///
/// The rule, applied to each mapping of `/proc/PID/maps` on its own:
/// 1. It is private (`p`), readable and writable, not executable, and anonymous: no backing
///    file and no name, or `[heap]`, `[stack]` or `[anon:NAME]`. That is the memory KSM can
///    merge (it never merges shared or file pages). QEMU's guest RAM is one such mapping of
///    exactly `-m` bytes, unless a file, memfd or shared-memory backend holds it; TCG's code
///    buffer is left out by being executable.
/// 2. With ``mergeableOnly``, it is also marked mergeable: `mg` in the `VmFlags` of
///    `/proc/PID/smaps` (`MADV_MERGEABLE`, which QEMU sets on guest RAM unless
///    `mem-merge=off`, or `PR_SET_MEMORY_MERGE`), i.e. what ksmd scans now.
/// 3. It is at least ``minimumBytes`` long.
///
/// Mappings are not joined: another allocation often sits right next to guest RAM. The selected
/// mappings are read in address order as one image.
public struct LiveMemorySelection: Sendable, Equatable {
    /// The least size of a selected mapping, in bytes.
    public var minimumBytes: Int
    /// Whether only `MADV_MERGEABLE` mappings count.
    public var mergeableOnly: Bool

    /// Creates a rule.
    public init(minimumBytes: Int, mergeableOnly: Bool = false) {
        self.minimumBytes = minimumBytes
        self.mergeableOnly = mergeableOnly
    }

    /// The default for QEMU processes (`--qemu`): mappings of at least 64 MiB, which is guest
    /// RAM and nothing else in a QEMU process (its heap, thread stacks and malloc arenas stay
    /// well below; TCG's code buffer is executable).
    public static let qemuDefault = LiveMemorySelection(minimumBytes: 64 << 20)
    /// The default for processes named by pid (`--pid`): every mapping rule 1 accepts, which is
    /// all the memory KSM could merge if the process asked for it.
    public static let processDefault = LiveMemorySelection(minimumBytes: 0)

    /// Whether `mapping` is selected, given the starts of the mappings marked mergeable.
    public func selects(_ mapping: ProcessMapping, mergeable: Set<Int> = []) -> Bool {
        mapping.isPrivate && mapping.isReadable && mapping.isWritable && !mapping.isExecutable && mapping.isAnonymous
            && mapping.size > 0 && mapping.size >= minimumBytes && (!mergeableOnly || mergeable.contains(mapping.start))
    }

    /// The selected mappings, in address order.
    public func select(_ mappings: [ProcessMapping], mergeable: Set<Int> = []) -> [ProcessMapping] {
        mappings.filter { selects($0, mergeable: mergeable) }.sorted { $0.start < $1.start }
    }

    /// Parses a size such as `64M`, `64MiB`, `1g`, `512k` or `4096` (bytes; binary units).
    ///
    /// - Returns: the size in bytes, or nil when the text is not a size.
    public static func parseSize(_ text: String) -> Int? {
        let trimmed = text.trimmingSpaces().lowercased()
        let digits = trimmed.prefix(while: { $0.isNumber })
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        var unit = String(trimmed.dropFirst(digits.count)).trimmingSpaces()
        if unit.hasSuffix("ib") { unit.removeLast(2) } else if unit.hasSuffix("b") { unit.removeLast() }
        let shift: Int
        switch unit {
        case "": shift = 0
        case "k": shift = 10
        case "m": shift = 20
        case "g": shift = 30
        case "t": shift = 40
        default: return nil
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : value
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
