/// How many times ksmd took each step of its work (``KSMCostProfile/Step``): what the
/// simulator counts as it charges CPU time, and what `ksmscope calibrate` fits the costs to.
///
/// Tree levels count one per level walked, so a walk over `n` nodes adds `floor(log2 n) + 1`.
public struct KSMWorkCounts: Sendable, Equatable {
    private var pageWalks: Double = 0
    private var absentPages: Double = 0
    private var rmapItems: Double = 0
    private var ksmPageChecks: Double = 0
    private var checksums: Double = 0
    private var stableTreeLevels: Double = 0
    private var chainDups: Double = 0
    private var unstableTreeLevels: Double = 0
    private var unstableTreeInserts: Double = 0
    private var merges: Double = 0
    private var zeroCompares: Double = 0
    private var batches: Double = 0
    private var coldPages: Double = 0
    private var fullScans: Double = 0
    private var rewarms: Double = 0

    /// No work.
    public init() {}

    /// The count of `step`.
    public subscript(step: KSMCostProfile.Step) -> Double {
        @inline(__always) get {
            switch step {
            case .pageWalk: pageWalks
            case .absentPage: absentPages
            case .rmapItem: rmapItems
            case .ksmPageCheck: ksmPageChecks
            case .checksum: checksums
            case .stableTreeLevel: stableTreeLevels
            case .chainDup: chainDups
            case .unstableTreeLevel: unstableTreeLevels
            case .unstableTreeInsert: unstableTreeInserts
            case .merge: merges
            case .zeroCompare: zeroCompares
            case .batch: batches
            case .coldPage: coldPages
            case .fullScan: fullScans
            case .rewarm: rewarms
            }
        }
        @inline(__always) set {
            switch step {
            case .pageWalk: pageWalks = newValue
            case .absentPage: absentPages = newValue
            case .rmapItem: rmapItems = newValue
            case .ksmPageCheck: ksmPageChecks = newValue
            case .checksum: checksums = newValue
            case .stableTreeLevel: stableTreeLevels = newValue
            case .chainDup: chainDups = newValue
            case .unstableTreeLevel: unstableTreeLevels = newValue
            case .unstableTreeInsert: unstableTreeInserts = newValue
            case .merge: merges = newValue
            case .zeroCompare: zeroCompares = newValue
            case .batch: batches = newValue
            case .coldPage: coldPages = newValue
            case .fullScan: fullScans = newValue
            case .rewarm: rewarms = newValue
            }
        }
    }

    /// The page-data operations so far, which ``KSMCostProfile/rewarm`` grows with: checksums
    /// and tree levels walked (each reads a page's bytes or a tree page's).
    @inline(__always)
    var pageDataOperations: Double { checksums + stableTreeLevels + unstableTreeLevels }

    /// The counts in ``KSMCostProfile/Step`` order.
    public var values: [Double] { KSMCostProfile.Step.allCases.map { self[$0] } }

    /// The work done between `earlier` and this.
    public static func - (later: KSMWorkCounts, earlier: KSMWorkCounts) -> KSMWorkCounts {
        var difference = KSMWorkCounts()
        for step in KSMCostProfile.Step.allCases { difference[step] = later[step] - earlier[step] }
        return difference
    }
}
