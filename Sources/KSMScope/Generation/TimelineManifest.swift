/// The document `timeline.json`: for every guest and step, which pages were written and which
/// of them changed, so copy-on-write studies know exactly what moved between snapshots.
public struct TimelineManifest: Sendable, Equatable, Codable {
    /// Format name and version.
    public var format = "ksmscope-timeline/1"
    /// What the page lists mean.
    public var note =
        "Page numbers count from 0 in image order. changed_pages: pages whose bytes differ from the previous snapshot. "
        + "written_pages: pages written at least once during the step, changed or not (a write of the same bytes, or "
        + "a zeroing write to a zero page, changes nothing)."
    /// Bytes a page.
    public var pageSize: Int
    /// Snapshots after the base one.
    public var steps: Int
    /// Seconds between snapshots.
    public var intervalSeconds: Double
    /// Per guest, in fleet order.
    public var guests: [Guest]

    /// One guest's snapshots.
    public struct Guest: Sendable, Equatable, Codable {
        public var name: String
        public var type: String
        /// Page writes per second after scaling (0 when the type has no churn).
        public var pagesPerSecond: Double
        /// `NAME.t0.img` … `NAME.tK.img`.
        public var files: [String]
        /// Steps 1 … K.
        public var steps: [Step]

        enum CodingKeys: String, CodingKey {
            case name, type, files, steps
            case pagesPerSecond = "pages_per_second"
        }
    }

    /// What changed from snapshot `step - 1` to `step`.
    public struct Step: Sendable, Equatable, Codable {
        public var step: Int
        public var timeSeconds: Double
        public var writes: Int
        public var freshWrites: Int
        public var zeroWrites: Int
        public var sameWrites: Int
        public var writtenPages: [Int]
        public var changedPages: [Int]

        enum CodingKeys: String, CodingKey {
            case step, writes
            case timeSeconds = "time_seconds"
            case freshWrites = "fresh_writes"
            case zeroWrites = "zero_writes"
            case sameWrites = "same_writes"
            case writtenPages = "written_pages"
            case changedPages = "changed_pages"
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, note, steps, guests
        case pageSize = "page_size"
        case intervalSeconds = "interval_seconds"
    }

    /// The manifest of `timeline` over `plan`.
    public init(plan: FleetPlan, timeline: ChurnTimeline) {
        pageSize = plan.pageSize
        steps = timeline.steps
        intervalSeconds = timeline.interval
        guests = plan.guests.enumerated().map { index, guest in
            Guest(
                name: guest.name, type: guest.typeName, pagesPerSecond: guest.churn?.pagesPerSecond ?? 0,
                files: (0...timeline.steps).map { FleetPlan.fileName(guest: guest.name, step: $0) },
                steps: timeline.guests[index].enumerated().map { offset, step in
                    Step(
                        step: offset + 1, timeSeconds: Double(offset + 1) * timeline.interval, writes: step.writes,
                        freshWrites: step.freshWrites, zeroWrites: step.zeroWrites, sameWrites: step.sameWrites,
                        writtenPages: step.writtenPages, changedPages: step.changedPages)
                })
        }
    }
}
