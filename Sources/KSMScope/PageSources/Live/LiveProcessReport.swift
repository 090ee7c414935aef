/// What a live process's image entry adds to a scan report: where its pages were read from,
/// and what KSM already does for it, as read just before its pages were.
///
/// Encoded under the image's `live` key. The scan reads the memory while the process runs, so
/// the image is not an atomic snapshot (`atomic` is always false): pages that change during the
/// read are seen at different moments.
public struct LiveProcessReport: Sendable, Equatable, Codable {
    /// The process id.
    public var pid: Int32
    /// The process's command name (`/proc/PID/comm`).
    public var command: String
    /// QEMU's `-name` (the `guest=` part), for QEMU processes.
    public var name: String?
    /// Whether the pages were read at one instant; always false for a live read.
    public var atomic: Bool
    /// The selection rule's least mapping size, in bytes.
    public var minMappingSize: Int
    /// Whether only mappings marked mergeable were selected.
    public var mergeableOnly: Bool
    /// The mappings read, in address order.
    public var mappings: [Mapping]
    /// `/proc/PID/ksm_stat` as read before the scan; nil if unreadable (kernel without KSM or
    /// before 6.1).
    public var ksmStat: KSMStat?
    /// Selected base pages present in RAM (`/proc/PID/pagemap` bit 63); nil if unreadable.
    public var residentPages: Int?
    /// Selected base pages swapped out (pagemap bit 62); reading them swaps them back in.
    public var swappedPages: Int?
    /// Selected base pages that are neither: never touched, they read as zeros and use no
    /// memory (ksmd skips them).
    public var untouchedPages: Int?
    /// Selected base pages already mapped to a KSM page (`/proc/kpageflags` bit 21, `KPF_KSM`);
    /// nil when page frame numbers or `/proc/kpageflags` cannot be read (needs root).
    public var alreadyMergedPages: Int?
    /// Selected base pages mapped to the kernel's zero page (bit 24, `KPF_ZERO_PAGE`): merged by
    /// KSM with `use_zero_pages`, or only ever read; nil like ``alreadyMergedPages``.
    public var zeroPageMappedPages: Int?
    /// Why a field is missing, or other things to know about this read.
    public var notes: [String]

    /// One mapping read.
    public struct Mapping: Sendable, Equatable, Codable {
        /// The first address.
        public var start: Int
        /// The address after the last byte.
        public var end: Int
        /// Whether it is marked mergeable (`mg` in `/proc/PID/smaps`): ksmd scans it now.
        public var mergeable: Bool
    }

    /// The fields of `/proc/PID/ksm_stat`, each nil when the kernel lacks it.
    public struct KSMStat: Sendable, Equatable, Codable {
        public var ksmRmapItems: Int?
        public var ksmMergingPages: Int?
        public var ksmZeroPages: Int?
        public var ksmProcessProfit: Int?
        /// `ksm_mergeable: yes`: some of its memory is registered with KSM.
        public var ksmMergeable: Bool?
        /// `ksm_merge_any: yes`: the whole process is (`PR_SET_MEMORY_MERGE`).
        public var ksmMergeAny: Bool?

        enum CodingKeys: String, CodingKey {
            case ksmRmapItems = "ksm_rmap_items"
            case ksmMergingPages = "ksm_merging_pages"
            case ksmZeroPages = "ksm_zero_pages"
            case ksmProcessProfit = "ksm_process_profit"
            case ksmMergeable = "ksm_mergeable"
            case ksmMergeAny = "ksm_merge_any"
        }

        /// Parses the text of `/proc/PID/ksm_stat` (`name value` or `name: yes|no` lines).
        public init(text: String) {
            var numbers: [String: Int] = [:]
            var flags: [String: Bool] = [:]
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 2 else { continue }
                let key = fields[0].hasSuffix(":") ? String(fields[0].dropLast()) : String(fields[0])
                if let value = Int(fields[1]) { numbers[key] = value }
                if fields[1] == "yes" || fields[1] == "no" { flags[key] = fields[1] == "yes" }
            }
            ksmRmapItems = numbers["ksm_rmap_items"]
            ksmMergingPages = numbers["ksm_merging_pages"]
            ksmZeroPages = numbers["ksm_zero_pages"]
            ksmProcessProfit = numbers["ksm_process_profit"]
            ksmMergeable = flags["ksm_mergeable"]
            ksmMergeAny = flags["ksm_merge_any"]
        }
    }

    enum CodingKeys: String, CodingKey {
        case pid, command, name, atomic, mappings, notes
        case minMappingSize = "min_mapping_size"
        case mergeableOnly = "mergeable_only"
        case ksmStat = "ksm_stat"
        case residentPages = "resident_pages"
        case swappedPages = "swapped_pages"
        case untouchedPages = "untouched_pages"
        case alreadyMergedPages = "already_merged_pages"
        case zeroPageMappedPages = "zero_page_mapped_pages"
    }
}
