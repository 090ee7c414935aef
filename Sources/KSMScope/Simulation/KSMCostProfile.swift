import Foundation

/// What each step of ksmd's work costs in CPU time, in nanoseconds: the simulator charges these
/// as it goes, and the sum is both ksmd's CPU time and the length of its batches.
///
/// The defaults follow published figures (docs/ksm-model.md, "CPU cost"): a 4 KiB XXH64 at
/// about 8 GB/s, rbtree levels that each compare two pages up to their first differing byte (plus,
/// in the unstable tree, a page-table walk of the other process), and merges that write-protect
/// a page, compare it in full and switch a PTE with TLB flushes. They are calibration values,
/// not measurements of this machine; a cost-model file can replace them (JSON, the keys below).
public struct KSMCostProfile: Sendable, Equatable, Codable {
    /// Visiting a present page: `folio_walk_start()` under the mmap lock plus the rmap list step
    /// (also paid by pages smart scan skips).
    public var pageWalk: Double
    /// Passing an address with no page, or one mapped to the zero page.
    public var absentPage: Double
    /// `cmp_and_merge_page()` on a page that is already merged: `page_stable_node()` and return.
    public var ksmPageCheck: Double
    /// `calc_checksum()`: XXH64 over the whole page.
    public var checksum: Double
    /// One level of the stable tree: resolve the node's KSM page and `memcmp_pages()`.
    public var stableTreeLevel: Double
    /// One dup examined while choosing a KSM page in a stable node chain.
    public var chainDup: Double
    /// One level of the unstable tree: `get_mergeable_page()` (the other mm's lock and page
    /// table) and `memcmp_pages()`.
    public var unstableTreeLevel: Double
    /// Merging one page: `write_protect_page()`, `pages_identical()` and `replace_page()`.
    public var merge: Double
    /// Comparing a page whose checksum is the zero page's with the zero page.
    public var zeroCompare: Double

    /// Creates a profile; every argument defaults to the built-in figure.
    public init(
        pageWalk: Double = 300, absentPage: Double = 20, ksmPageCheck: Double = 100, checksum: Double = 500,
        stableTreeLevel: Double = 100, chainDup: Double = 50, unstableTreeLevel: Double = 300, merge: Double = 3000,
        zeroCompare: Double = 250
    ) {
        self.pageWalk = pageWalk
        self.absentPage = absentPage
        self.ksmPageCheck = ksmPageCheck
        self.checksum = checksum
        self.stableTreeLevel = stableTreeLevel
        self.chainDup = chainDup
        self.unstableTreeLevel = unstableTreeLevel
        self.merge = merge
        self.zeroCompare = zeroCompare
    }

    /// The built-in profile.
    public static let `default` = KSMCostProfile()

    /// Reads a profile from the JSON file at `path`.
    ///
    /// - Throws: ``KSMCostProfileError/file(path:problem:)`` naming the file.
    public static func load(path: String) throws(KSMCostProfileError) -> KSMCostProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .file(path: path, problem: .unreadable)
        }
        do {
            return try decode(json: data)
        } catch {
            throw .file(path: path, problem: error)
        }
    }

    /// Reads a profile from JSON; keys left out keep their built-in value.
    ///
    /// - Throws: ``KSMCostProfileError`` when the data is not such an object or a cost is
    ///   negative or not finite.
    public static func decode(json data: Data) throws(KSMCostProfileError) -> KSMCostProfile {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw KSMCostProfileError.notAnObject
            }
            object = parsed
        } catch let error as KSMCostProfileError {
            throw error
        } catch {
            throw .notAnObject
        }
        var profile = KSMCostProfile.default
        let fields: [(CodingKeys, WritableKeyPath<KSMCostProfile, Double>)] = [
            (.pageWalk, \.pageWalk), (.absentPage, \.absentPage), (.ksmPageCheck, \.ksmPageCheck),
            (.checksum, \.checksum), (.stableTreeLevel, \.stableTreeLevel), (.chainDup, \.chainDup),
            (.unstableTreeLevel, \.unstableTreeLevel), (.merge, \.merge), (.zeroCompare, \.zeroCompare),
        ]
        let known = Set(fields.map(\.0.stringValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) { throw .unknownKey(unknown) }
        for (key, path) in fields {
            guard let value = object[key.stringValue] else { continue }
            guard let number = value as? Double, number.isFinite, number >= 0 else {
                throw .invalidCost(key: key.stringValue)
            }
            profile[keyPath: path] = number
        }
        return profile
    }

    enum CodingKeys: String, CodingKey {
        case pageWalk = "page_walk_ns"
        case absentPage = "absent_page_ns"
        case ksmPageCheck = "ksm_page_check_ns"
        case checksum = "checksum_ns"
        case stableTreeLevel = "stable_tree_level_ns"
        case chainDup = "chain_dup_ns"
        case unstableTreeLevel = "unstable_tree_level_ns"
        case merge = "merge_ns"
        case zeroCompare = "zero_compare_ns"
    }
}

/// A cost profile that cannot be used.
public enum KSMCostProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON is not an object.
    case notAnObject
    /// A key that is not a cost.
    case unknownKey(String)
    /// A cost that is not a finite, non-negative number of nanoseconds.
    case invalidCost(key: String)
    /// The file cannot be read.
    case unreadable
    /// A problem in the file at `path`.
    indirect case file(path: String, problem: KSMCostProfileError)

    public var description: String {
        switch self {
        case .notAnObject: "a cost profile must be a JSON object of nanosecond costs"
        case .unknownKey(let key): "cost profile: unknown key '\(key)'"
        case .invalidCost(let key): "cost profile: '\(key)' must be a finite number of nanoseconds, at least 0"
        case .unreadable: "cannot read the cost profile"
        case .file(let path, let problem): "\(path): \(problem)"
        }
    }
}
