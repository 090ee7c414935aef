/// What `ksmscope plan` reports: how many of these guests fit on a host without KSM, with it
/// and under churn, the Nova setting that admits them, what is at risk if KSM stops, the
/// policies side by side, what KSM does to huge pages, and with several hosts which guests
/// should share one.
///
/// JSON keys are a contract (issue 9); text, CSV and HTML carry the same figures.
public struct CapacityPlan: Sendable, Equatable, Codable {
    /// Bytes per page.
    public var pageSize: Int
    /// The merge tunables predicted for.
    public var tunables: KSMTunables
    /// The policy the plan is made under.
    public var policy: MergePolicy
    /// What made two pages one content: `bytes` (the in-memory plan of images) or
    /// `fingerprint-128` (fingerprint files, a plan beyond `--memory-limit`, a sample).
    public var equality: ScanEquality
    /// With `--sample 1/N` (or sampled fingerprint files) only: the estimate and what it rests on.
    public var sample: Sample?
    /// The host.
    public var host: HostSpec
    /// The input guests, in order.
    public var guests: [Guest]
    /// For k = 1 … max(n, guests that fit with KSM): what the first k guests save.
    public var sharingCurve: [SharingCurve.Point]
    /// The inputs' saving by where it comes from.
    public var savingsByKind: SavingsByKind
    /// How much of the steady-state saving is counted on under churn.
    public var churn: Churn
    /// How many guests fit.
    public var guestsFit: GuestsFit
    /// Nova's `ram_allocation_ratio` that admits ``GuestsFit/withKSMUnderChurn`` guests.
    public var ramAllocationRatio: Double
    /// The `nova.conf` settings of the plan.
    public var nova: Nova
    /// Memory the planned guests need back if KSM is stopped with `echo 2 > run`: the saving
    /// at steady state, bytes.
    public var unmergeRiskBytes: Int
    /// KSM beside ballooning and swap, for the planned guests.
    public var overcommit: Overcommit
    /// Saving and guests that fit under each policy.
    public var policies: Policies
    /// Transparent huge pages split by merging (left out of a sampled plan: it needs every page).
    public var thp: HugePageReport?
    /// Pairwise sharing between the input guests (left out beyond ``HeatMap/guestLimit`` guests).
    public var heatMap: HeatMap?
    /// ksmd converging on the inputs, from the simulator (left out when it is not run: a sample,
    /// or a simulator beyond `--memory-limit`).
    public var convergence: Convergence?
    /// The guests placed on several hosts (`--hosts`).
    public var placement: PlacementReport?
    /// ksmd's recommended setting and its CPU cost next to the memory it buys, when priced
    /// (`--profile`).
    public var cpu: KsmdCost?
    /// The plan in one sentence.
    public var verdict: String
    /// Caveats that apply to these figures.
    public var notes: [String]

    /// One input guest.
    public struct Guest: Sendable, Equatable, Codable {
        /// The image (or timeline's first image, or live process) it was read from.
        public var path: String
        /// Its memory: whole pages times the page size, bytes.
        public var memoryBytes: Int
        /// What it saves by itself, bytes.
        public var aloneSavedBytes: Int
        /// Its domain, under the domain policy.
        public var domain: String?

        enum CodingKeys: String, CodingKey {
            case path, domain
            case memoryBytes = "memory_bytes"
            case aloneSavedBytes = "alone_saved_bytes"
        }
    }

    /// The inputs' saving split by source; the three add up to the inputs' saving.
    public struct SavingsByKind: Sendable, Equatable, Codable {
        /// All-zero pages merged (or mapped to the zero page).
        public var zeroBytes: Int
        /// Other pages, merged within a guest: what each guest would save alone.
        public var withinGuestBytes: Int
        /// The rest: what running the guests together adds.
        public var betweenGuestsBytes: Int

        enum CodingKeys: String, CodingKey {
            case zeroBytes = "zero_bytes"
            case withinGuestBytes = "within_guest_bytes"
            case betweenGuestsBytes = "between_guests_bytes"
        }
    }

    /// How the saving under churn was found.
    public struct Churn: Sendable, Equatable, Codable {
        /// `timeline`: the lowest saving the simulator saw after the first convergence;
        /// `steady_state`: no timeline, the saving does not move.
        public var source: String
        /// The saving ksmd converges to on the inputs, bytes (the simulator's target).
        public var convergedSavedBytes: Int
        /// The lowest saving seen after the first convergence, bytes.
        public var lowestSavedBytes: Int
        /// `lowest / converged × (1 − headroom)`: the share of a saving a plan counts on.
        public var savingFactor: Double

        enum CodingKeys: String, CodingKey {
            case source
            case convergedSavedBytes = "converged_saved_bytes"
            case lowestSavedBytes = "lowest_saved_bytes"
            case savingFactor = "saving_factor"
        }
    }

    /// Guests that fit, added in input order and cycling through the inputs.
    public struct GuestsFit: Sendable, Equatable, Codable {
        /// Counting no saving.
        public var withoutKSM: Int
        /// Counting the whole steady-state saving.
        public var withKSM: Int
        /// Counting the saving under churn, less the headroom.
        public var withKSMUnderChurn: Int

        enum CodingKeys: String, CodingKey {
            case withoutKSM = "without_ksm"
            case withKSM = "with_ksm"
            case withKSMUnderChurn = "with_ksm_under_churn"
        }
    }

    /// The `nova.conf` settings that admit the planned guests.
    public struct Nova: Sendable, Equatable, Codable {
        /// `reserved_host_memory_mb`: the reserve in MiB.
        public var reservedHostMemoryMB: Int
        /// `ram_allocation_ratio`.
        public var ramAllocationRatio: Double
        /// How many of the guests Nova admits at that ratio (fewer than planned only when
        /// rounding down to 2 decimals cuts one off).
        public var guestsAdmitted: Int

        enum CodingKeys: String, CodingKey {
            case reservedHostMemoryMB = "reserved_host_memory_mb"
            case ramAllocationRatio = "ram_allocation_ratio"
            case guestsAdmitted = "guests_admitted"
        }
    }

    /// KSM against the other ways to overcommit, for the planned guests.
    public struct Overcommit: Sendable, Equatable, Codable {
        /// The planned guests (``GuestsFit/withKSMUnderChurn``).
        public var guests: Int
        /// Saving only KSM delivers: duplicate pages that are not all zero.
        public var ksmOnlyBytes: Int
        /// Saving a balloon or free page reporting would also return: all-zero pages.
        public var balloonAlsoBytes: Int
        /// What swap must absorb if the saving vanished: the guests' cost beyond usable memory.
        public var swapNeededBytes: Int

        enum CodingKeys: String, CodingKey {
            case guests
            case ksmOnlyBytes = "ksm_only_bytes"
            case balloonAlsoBytes = "balloon_also_bytes"
            case swapNeededBytes = "swap_needed_bytes"
        }
    }

    /// One policy's figures.
    public struct PolicyFigures: Sendable, Equatable, Codable {
        /// What the inputs save under it, bytes.
        public var savedBytes: Int
        /// Guests that fit under it, counted as ``GuestsFit/withKSMUnderChurn``.
        public var guestsFit: Int
        /// From a sample only: the low end of the saving's 95 % confidence interval.
        public var savedBytesLow: Int?
        /// From a sample only: the high end of the saving's 95 % confidence interval.
        public var savedBytesHigh: Int?

        enum CodingKeys: String, CodingKey {
            case savedBytes = "saved_bytes"
            case guestsFit = "guests_fit"
            case savedBytesLow = "saved_bytes_low"
            case savedBytesHigh = "saved_bytes_high"
        }
    }

    /// A plan estimated from a 1/N sample of the contents (zero pages in full): every saving is
    /// an estimate, scan's (``SampledSaving``); capacity is counted on the low end of each
    /// point's 95 % confidence interval, so the guests that fit are what the sample makes
    /// likely, not what it makes possible.
    public struct Sample: Sendable, Equatable, Codable {
        /// N.
        public var every: Int
        /// The inputs' estimated saving under the plan's policy (the sharing curve's point n),
        /// bytes; with policy `all`, what `ksmscope scan --sample` estimates.
        public var savedBytes: Int
        /// The low end of its 95 % confidence interval.
        public var savedBytesLow: Int
        /// The high end of its 95 % confidence interval.
        public var savedBytesHigh: Int
        /// What the guests that fit are counted on: `saved_bytes_low`, each point's low end.
        public var guestsFitFrom = "saved_bytes_low"
        /// The guests that would fit counting the estimates themselves.
        public var guestsFitAtEstimate: GuestsFit
        /// The unmerge risk at the high end of its interval: what to hold back if KSM stops.
        public var unmergeRiskBytesHigh: Int
        /// The sections whose figures are estimates.
        public var estimated = [
            "guests", "sharing_curve", "savings_by_kind", "churn", "guests_fit", "unmerge_risk_bytes", "overcommit",
            "policies", "heat_map", "placement",
        ]
        /// The sections a sample cannot give (they need every page): huge-page regions, and
        /// ksmd's simulation (convergence, churn under a timeline, CPU).
        public var leftOut = ["thp", "convergence", "cpu"]

        enum CodingKeys: String, CodingKey {
            case every, estimated
            case savedBytes = "saved_bytes"
            case savedBytesLow = "saved_bytes_low"
            case savedBytesHigh = "saved_bytes_high"
            case guestsFitFrom = "guests_fit_from"
            case guestsFitAtEstimate = "guests_fit_at_estimate"
            case unmergeRiskBytesHigh = "unmerge_risk_bytes_high"
            case leftOut = "left_out"
        }
    }

    /// Every policy side by side.
    public struct Policies: Sendable, Equatable, Codable {
        /// KSM as is.
        public var all: PolicyFigures
        /// Per-guest salting.
        public var intraImage: PolicyFigures
        /// Zero pages only.
        public var zeroOnly: PolicyFigures
        /// Per domain, with `--domains`.
        public var domain: PolicyFigures?

        enum CodingKeys: String, CodingKey {
            case all, domain
            case intraImage = "intra_image"
            case zeroOnly = "zero_only"
        }

        /// The figures of `policy`, if computed.
        public subscript(policy: MergePolicy) -> PolicyFigures? {
            switch policy {
            case .all: all
            case .intraImage: intraImage
            case .zeroOnly: zeroOnly
            case .domain: domain
            }
        }
    }

    /// Pairwise sharing between the input guests.
    public struct HeatMap: Sendable, Equatable, Codable {
        /// The guests, in input order.
        public var guests: [String]
        /// `[i][i]`: what guest i saves alone; `[i][j]`: what guests i and j save together beyond
        /// that, bytes.
        public var savedBytes: [[Int]]

        /// Beyond this many guests the map is left out (its cost grows with their square).
        public static let guestLimit = 64

        enum CodingKeys: String, CodingKey {
            case guests
            case savedBytes = "saved_bytes"
        }
    }

    /// ksmd converging on the inputs (and under their churn), from the simulator.
    public struct Convergence: Sendable, Equatable, Codable {
        /// `pages_to_scan` simulated (the advisor's starting value with the advisor on).
        public var pagesToScan: Int
        /// `sleep_millisecs` simulated.
        public var sleepMillisecs: Int
        /// The `advisor_mode` simulated.
        public var advisorMode: String
        /// The saving over time.
        public var points: [Point]
        /// When the saving first reached 50, 90, 99 and 100 % of the converged saving.
        public var milestones: [ConvergenceSummary.Milestone]
        /// When the guests' first writes took effect, seconds (timelines only).
        public var churnStartSeconds: Double?

        /// One moment.
        public struct Point: Sendable, Equatable, Codable {
            /// Simulated seconds.
            public var tSeconds: Double
            /// `full_scans`.
            public var fullScans: Int
            /// `(pages_sharing + ksm_zero_pages) × page size`.
            public var savedBytes: Int
            /// ksmd's CPU time so far, seconds.
            public var ksmdCPUSeconds: Double

            enum CodingKeys: String, CodingKey {
                case tSeconds = "t_seconds"
                case fullScans = "full_scans"
                case savedBytes = "saved_bytes"
                case ksmdCPUSeconds = "ksmd_cpu_seconds"
            }
        }

        enum CodingKeys: String, CodingKey {
            case points, milestones
            case pagesToScan = "pages_to_scan"
            case sleepMillisecs = "sleep_millisecs"
            case advisorMode = "advisor_mode"
            case churnStartSeconds = "churn_start_seconds"
        }
    }

    enum CodingKeys: String, CodingKey {
        case tunables, policy, equality, sample, host, guests, churn, nova, overcommit, policies, thp, convergence, placement,
            cpu, verdict, notes
        case pageSize = "page_size"
        case sharingCurve = "sharing_curve"
        case savingsByKind = "savings_by_kind"
        case guestsFit = "guests_fit"
        case ramAllocationRatio = "ram_allocation_ratio"
        case unmergeRiskBytes = "unmerge_risk_bytes"
        case heatMap = "heat_map"
    }
}
