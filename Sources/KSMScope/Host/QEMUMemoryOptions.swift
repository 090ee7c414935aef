/// What a QEMU command line says about guest RAM and KSM.
public struct QEMUMemoryOptions: Sendable, Equatable {
    /// `mem-merge=off` on `-machine` (libvirt's `<nosharepages/>`) or `merge=off` on a memory
    /// backend: guest RAM is not marked `MADV_MERGEABLE`, so KSM never scans it.
    public var mergeOff: Bool
    /// A backend on hugetlbfs: `hugetlb=on` (memfd), or `-mem-path` / `mem-path=` in a hugetlbfs
    /// mount (or under a path holding `hugepages` when the mounts are unknown).
    public var hugetlbfs: Bool
    /// `share=on` on a memory backend: shared memory, which KSM never merges.
    public var shared: Bool
    /// A `virtio-balloon` device: the host can ask the guest for memory back.
    public var balloon: Bool

    /// Reads the options from `arguments` (both QEMU's `key=value,...` and libvirt's JSON forms).
    public init(arguments: [String], hugetlbfsMounts: [String]?) {
        func onHugetlbfs(_ path: String) -> Bool {
            guard let mounts = hugetlbfsMounts else { return path.contains("hugepages") }
            return mounts.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        }
        var mergeOff = false
        var hugetlbfs = false
        var shared = false
        var balloon = false
        for (index, argument) in arguments.enumerated() {
            // key=value lists, and libvirt's JSON objects read as key:value lists.
            let pairs = argument.filter { !" \"{}".contains($0) }.split(separator: ",").map(String.init)
            func has(_ key: String, _ values: [String]) -> Bool {
                pairs.contains { pair in values.contains { pair == "\(key)=\($0)" || pair.hasSuffix("\(key):\($0)") } }
            }
            if has("mem-merge", ["off", "false"]) || has("merge", ["off", "false"]) { mergeOff = true }
            if has("share", ["on", "true"]) { shared = true }
            if has("hugetlb", ["on", "true"]) { hugetlbfs = true }
            for pair in pairs where pair.hasPrefix("mem-path=") || pair.hasPrefix("mem-path:") {
                if onHugetlbfs(String(pair.dropFirst("mem-path=".count))) { hugetlbfs = true }
            }
            if argument == "-mem-path", index + 1 < arguments.count, onHugetlbfs(arguments[index + 1]) { hugetlbfs = true }
            if argument.contains("virtio-balloon") { balloon = true }
        }
        self.mergeOff = mergeOff
        self.hugetlbfs = hugetlbfs
        self.shared = shared
        self.balloon = balloon
    }
}
