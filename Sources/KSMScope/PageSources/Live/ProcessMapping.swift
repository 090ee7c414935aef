/// One line of `/proc/PID/maps`: a virtual memory area of a process.
public struct ProcessMapping: Sendable, Equatable {
    /// The first address.
    public var start: Int
    /// The address after the last byte.
    public var end: Int
    /// The four permission letters, `rwxp` style (`p` private, `s` shared).
    public var permissions: String
    /// The offset into the backing file.
    public var offset: Int
    /// The backing file's inode, 0 for anonymous memory.
    public var inode: Int
    /// The file path or pseudo-name (`[heap]`, `[stack]`, `[anon:NAME]`, `/memfd:…`); empty
    /// for plain anonymous memory.
    public var name: String

    /// Creates a mapping.
    public init(start: Int, end: Int, permissions: String, offset: Int = 0, inode: Int = 0, name: String = "") {
        self.start = start
        self.end = end
        self.permissions = permissions
        self.offset = offset
        self.inode = inode
        self.name = name
    }

    /// The size in bytes.
    public var size: Int { end - start }

    /// Whether the memory is readable.
    public var isReadable: Bool { permissions.utf8.first == UInt8(ascii: "r") }
    /// Whether the memory is writable.
    public var isWritable: Bool { permissions.utf8.dropFirst().first == UInt8(ascii: "w") }
    /// Whether the memory is executable.
    public var isExecutable: Bool { permissions.utf8.dropFirst(2).first == UInt8(ascii: "x") }
    /// Whether the mapping is private (copy-on-write), not shared.
    public var isPrivate: Bool { permissions.utf8.dropFirst(3).first == UInt8(ascii: "p") }

    /// Whether the memory is anonymous: no backing file, and no name other than `[heap]`,
    /// `[stack]` or a user-given `[anon:NAME]` (`[vdso]`, `[vvar]` and the like are kernel
    /// pages; `/memfd:…`, `/dev/shm/…` and SysV segments are files).
    public var isAnonymous: Bool {
        guard inode == 0 else { return false }
        return name.isEmpty || name == "[heap]" || name == "[stack]" || name.hasPrefix("[anon:")
    }

    /// Parses the text of `/proc/PID/maps`; lines that do not parse are skipped.
    public static func parse(maps text: String) -> [ProcessMapping] {
        text.split(separator: "\n").compactMap { parse(line: $0) }
    }

    /// Parses one line: `start-end perms offset dev inode [name]`.
    static func parse(line: Substring) -> ProcessMapping? {
        var rest = line[...]
        func field() -> Substring? {
            rest = rest.drop(while: { $0 == " " })
            guard let end = rest.firstIndex(of: " ") else {
                defer { rest = rest[rest.endIndex...] }
                return rest.isEmpty ? nil : rest
            }
            defer { rest = rest[end...] }
            return rest[..<end]
        }
        guard let range = field(), let permissions = field(), let offset = field(), field() != nil,
            let inode = field()
        else { return nil }
        let bounds = range.split(separator: "-")
        guard bounds.count == 2, let start = Int(bounds[0], radix: 16), let end = Int(bounds[1], radix: 16),
            end >= start, permissions.count == 4, let fileOffset = Int(offset, radix: 16), let node = Int(inode)
        else { return nil }
        let name = String(rest.drop(while: { $0 == " " }))
        return ProcessMapping(
            start: start, end: end, permissions: String(permissions), offset: fileOffset, inode: node, name: name)
    }

    /// Parses the text of `/proc/PID/smaps` into the start addresses of the mappings whose
    /// `VmFlags` include `mg` (`MADV_MERGEABLE`, or the whole process under
    /// `PR_SET_MEMORY_MERGE`).
    public static func mergeableStarts(smaps text: String) -> Set<Int> {
        Set(vmFlags(smaps: text).filter { $0.value.contains("mg") }.keys)
    }

    /// Parses the text of `/proc/PID/smaps` into each mapping's `VmFlags` (two-letter codes such
    /// as `mg` mergeable, `ht` hugetlbfs, `hg` MADV_HUGEPAGE), by the mapping's start address.
    public static func vmFlags(smaps text: String) -> [Int: Set<String>] {
        var flags: [Int: Set<String>] = [:]
        var current: Int?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmFlags:") {
                if let current { flags[current] = Set(line.split(separator: " ").dropFirst().map(String.init)) }
            } else if let first = line.first, first.isHexDigit, let mapping = parse(line: line) {
                current = mapping.start
            }
        }
        return flags
    }
}
