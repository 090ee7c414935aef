import Foundation

/// Finds processes whose memory is registered with KSM, from `/proc/PID/ksm_stat`.
public enum KSMUsers {
    /// The processes (other than `excluding`) that have mergeable memory or KSM rmap items.
    public static func find(excluding: Set<Int32> = []) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var users: [Int32] = []
        for entry in entries {
            guard let pid = Int32(entry), !excluding.contains(pid),
                let text = try? String(contentsOfFile: "/proc/\(entry)/ksm_stat", encoding: .utf8)
            else { continue }
            let registered = text.split(separator: "\n").contains { line in
                line == "ksm_mergeable: yes" || line == "ksm_merge_any: yes"
                    || (line.hasPrefix("ksm_rmap_items ") && line != "ksm_rmap_items 0")
            }
            if registered { users.append(pid) }
        }
        return users.sorted()
    }
}
