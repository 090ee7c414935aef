import Foundation

/// What each step of ksmd's work costs in CPU time, in nanoseconds, and how its time passes on
/// the wall: the cost model the simulator charges as it goes (docs/ksm-model.md, "CPU cost").
///
/// ksmd's CPU time is the sum over its steps (``Step``) of the step's count times its cost;
/// a batch lasts its CPU time divided by ``cpuAvailability``, and each sleep ends on the timer
/// tick the kernel's timer wheel picks, ``wakeLatency`` later (``KsmdClock``). `ksmscope
/// calibrate` fits every figure on the host (``KsmdProfile``); the built-in values were fitted
/// on the project's development machine (see ``KsmdProfile/builtIn``).
public struct KSMCostProfile: Sendable, Equatable {
    /// Visiting a present page: `folio_walk_start()` under the mmap lock plus the rmap list step
    /// (also paid by pages smart scan skips).
    public var pageWalk: Double
    /// Passing an address with no page, or one mapped to the zero page.
    public var absentPage: Double
    /// Allocating an rmap item for a page visited for the first time (`alloc_rmap_item()`).
    public var rmapItem: Double
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
    /// Inserting a page into the unstable tree after a miss (`rb_link_node()`,
    /// `rb_insert_color()`, the rmap item's bookkeeping).
    public var unstableTreeInsert: Double
    /// Merging one page: `write_protect_page()`, `pages_identical()` and `replace_page()`.
    public var merge: Double
    /// Comparing a page whose checksum is the zero page's with the zero page.
    public var zeroCompare: Double
    /// One batch (`ksm_do_scan()`) besides its pages: waking up, `ksm_thread_mutex`, going back
    /// to sleep.
    public var batch: Double
    /// Extra cost of each of the first ``coldPages`` pages a batch processes: after a sleep the
    /// caches no longer hold the page tables, rmap items and tree nodes ksmd walks, so the first
    /// pages of every batch cost more than the next ones.
    public var coldPage: Double
    /// The start of a full scan besides its pages: `lru_add_drain_all()`, resetting the
    /// unstable trees, the advisor's bookkeeping.
    public var fullScan: Double
    /// Refilling the caches after a sleep, per millisecond slept × √(the batch's page-data
    /// operations: checksums and tree levels). While ksmd sleeps the CPU's caches lose the
    /// tree pages and page tables it walks, more the longer it sleeps (on an idle VM most);
    /// the batch then pays for what it touches again, which grows more slowly than its work.
    /// Fitted by `calibrate` (Benchmarks/README.md, calibration accuracy run 3); 0 in profiles
    /// written before it existed.
    public var rewarm: Double
    /// Mean delay from the timer tick that ends a sleep to ksmd running again, nanoseconds (a
    /// time, not CPU: it grows when other work keeps the CPUs busy).
    public var wakeLatency: Double
    /// Share of a CPU ksmd gets while it has work, from above 0 to 1: a batch of `c` CPU
    /// nanoseconds lasts `c / cpuAvailability` on the wall (1: ksmd never waits for a CPU).
    public var cpuAvailability: Double

    /// The per-step CPU costs, in the order of their JSON keys.
    public enum Step: String, Sendable, CaseIterable {
        case pageWalk = "page_walk_ns"
        case absentPage = "absent_page_ns"
        case rmapItem = "rmap_item_ns"
        case ksmPageCheck = "ksm_page_check_ns"
        case checksum = "checksum_ns"
        case stableTreeLevel = "stable_tree_level_ns"
        case chainDup = "chain_dup_ns"
        case unstableTreeLevel = "unstable_tree_level_ns"
        case unstableTreeInsert = "unstable_tree_insert_ns"
        case merge = "merge_ns"
        case zeroCompare = "zero_compare_ns"
        case batch = "batch_ns"
        case coldPage = "cold_page_ns"
        case fullScan = "full_scan_ns"
        case rewarm = "rewarm_ns"
    }

    /// How many pages of a batch pay ``coldPage``.
    public static let coldPages = 256

    /// Creates a profile; every argument defaults to the built-in figure.
    public init(
        pageWalk: Double = 150, absentPage: Double = 85, rmapItem: Double = 793, ksmPageCheck: Double = 0,
        checksum: Double = 81, stableTreeLevel: Double = 77, chainDup: Double = 345, unstableTreeLevel: Double = 196,
        unstableTreeInsert: Double = 1179, merge: Double = 1494, zeroCompare: Double = 67, batch: Double = 30811,
        coldPage: Double = 728, fullScan: Double = 100_554, rewarm: Double = 0, wakeLatency: Double = 60_000,
        cpuAvailability: Double = 1
    ) {
        self.pageWalk = pageWalk
        self.absentPage = absentPage
        self.rmapItem = rmapItem
        self.ksmPageCheck = ksmPageCheck
        self.checksum = checksum
        self.stableTreeLevel = stableTreeLevel
        self.chainDup = chainDup
        self.unstableTreeLevel = unstableTreeLevel
        self.unstableTreeInsert = unstableTreeInsert
        self.merge = merge
        self.zeroCompare = zeroCompare
        self.batch = batch
        self.coldPage = coldPage
        self.fullScan = fullScan
        self.rewarm = rewarm
        self.wakeLatency = wakeLatency
        self.cpuAvailability = cpuAvailability
    }

    /// The built-in profile.
    public static let `default` = KSMCostProfile()

    /// The CPU cost of one `step`, nanoseconds.
    public subscript(step: Step) -> Double {
        get {
            switch step {
            case .pageWalk: pageWalk
            case .absentPage: absentPage
            case .rmapItem: rmapItem
            case .ksmPageCheck: ksmPageCheck
            case .checksum: checksum
            case .stableTreeLevel: stableTreeLevel
            case .chainDup: chainDup
            case .unstableTreeLevel: unstableTreeLevel
            case .unstableTreeInsert: unstableTreeInsert
            case .merge: merge
            case .zeroCompare: zeroCompare
            case .batch: batch
            case .coldPage: coldPage
            case .fullScan: fullScan
            case .rewarm: rewarm
            }
        }
        set {
            switch step {
            case .pageWalk: pageWalk = newValue
            case .absentPage: absentPage = newValue
            case .rmapItem: rmapItem = newValue
            case .ksmPageCheck: ksmPageCheck = newValue
            case .checksum: checksum = newValue
            case .stableTreeLevel: stableTreeLevel = newValue
            case .chainDup: chainDup = newValue
            case .unstableTreeLevel: unstableTreeLevel = newValue
            case .unstableTreeInsert: unstableTreeInsert = newValue
            case .merge: merge = newValue
            case .zeroCompare: zeroCompare = newValue
            case .batch: batch = newValue
            case .coldPage: coldPage = newValue
            case .fullScan: fullScan = newValue
            case .rewarm: rewarm = newValue
            }
        }
    }

    /// ksmd's CPU time for `work`, nanoseconds.
    public func cpuNanoseconds(for work: KSMWorkCounts) -> Double {
        Step.allCases.reduce(0) { $0 + self[$1] * work[$1] }
    }

    /// Reads a `--costs` file: a JSON object of figures overriding those of `base`.
    ///
    /// - Throws: ``KSMCostProfileError/file(path:problem:)`` naming the file.
    public static func load(path: String, over base: KSMCostProfile = .default) throws(KSMCostProfileError)
        -> KSMCostProfile
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .file(path: path, problem: .unreadable)
        }
        do {
            return try decode(json: data, over: base)
        } catch {
            throw .file(path: path, problem: error)
        }
    }

    /// Reads figures from JSON, keys as in ``keys``, over `base`.
    ///
    /// - Parameter complete: whether every key must be present (a ``KsmdProfile``'s `costs`);
    ///   otherwise keys left out keep their value in `base`.
    /// - Throws: ``KSMCostProfileError`` when the data is not such an object, a key is unknown
    ///   or missing, a figure is negative or not finite, or `cpu_availability` is not in (0, 1].
    public static func decode(json data: Data, over base: KSMCostProfile = .default, complete: Bool = false)
        throws(KSMCostProfileError) -> KSMCostProfile
    {
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
        return try decode(object: object, over: base, complete: complete)
    }

    /// Reads figures from a parsed JSON object (see ``decode(json:over:complete:)``).
    public static func decode(object: [String: Any], over base: KSMCostProfile = .default, complete: Bool = false)
        throws(KSMCostProfileError) -> KSMCostProfile
    {
        var profile = base
        let known = Set(keys)
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) { throw .unknownKey(unknown) }
        for key in keys {
            guard let value = object[key] else {
                // Profiles written before rewarm_ns existed price no rewarming.
                if complete && key != Step.rewarm.rawValue { throw .missingCost(key: key) }
                continue
            }
            guard let number = value as? Double, number.isFinite, number >= 0 else { throw .invalidCost(key: key) }
            if let step = Step(rawValue: key) {
                profile[step] = number
            } else if key == wakeLatencyKey {
                profile.wakeLatency = number
            } else {
                guard number > 0, number <= 1 else { throw .invalidAvailability(number) }
                profile.cpuAvailability = number
            }
        }
        return profile
    }

    /// The JSON key of the wake-up latency.
    static let wakeLatencyKey = "wake_latency_ns"
    /// The JSON key of the CPU availability.
    static let cpuAvailabilityKey = "cpu_availability"
    /// Every JSON key: the steps', then the two time figures.
    public static let keys = Step.allCases.map(\.rawValue) + [wakeLatencyKey, cpuAvailabilityKey]
}

extension KSMCostProfile: Codable {
    /// A key of ``keys``.
    struct Key: CodingKey {
        let stringValue: String
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// Decodes every key of ``keys``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        self.init()
        for step in Step.allCases {
            // Profiles written before rewarm_ns existed price no rewarming.
            self[step] =
                try step == .rewarm
                ? container.decodeIfPresent(Double.self, forKey: Key(step.rawValue)) ?? 0
                : container.decode(Double.self, forKey: Key(step.rawValue))
        }
        wakeLatency = try container.decode(Double.self, forKey: Key(Self.wakeLatencyKey))
        cpuAvailability = try container.decode(Double.self, forKey: Key(Self.cpuAvailabilityKey))
    }

    /// Encodes every key of ``keys``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for step in Step.allCases { try container.encode(self[step], forKey: Key(step.rawValue)) }
        try container.encode(wakeLatency, forKey: Key(Self.wakeLatencyKey))
        try container.encode(cpuAvailability, forKey: Key(Self.cpuAvailabilityKey))
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
    /// A cost a complete profile must give is missing.
    case missingCost(key: String)
    /// `cpu_availability` outside (0, 1].
    case invalidAvailability(Double)
    /// The file cannot be read.
    case unreadable
    /// A problem in the file at `path`.
    indirect case file(path: String, problem: KSMCostProfileError)

    public var description: String {
        switch self {
        case .notAnObject: "a cost profile must be a JSON object of nanosecond costs"
        case .unknownKey(let key): "cost profile: unknown key '\(key)'"
        case .invalidCost(let key): "cost profile: '\(key)' must be a finite number of nanoseconds, at least 0"
        case .missingCost(let key): "cost profile: '\(key)' is missing"
        case .invalidAvailability(let value):
            "cost profile: 'cpu_availability' must be above 0 and at most 1 (got \(value))"
        case .unreadable: "cannot read the cost profile"
        case .file(let path, let problem): "\(path): \(problem)"
        }
    }
}
