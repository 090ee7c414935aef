/// The document `expected.json`: what the generator intended for every image set it wrote, so
/// that `ksmscope scan` can be checked against it field by field.
public struct ExpectedFleet: Sendable, Equatable, Codable {
    /// Format name and version.
    public var format = "ksmscope-expected/1"
    /// The generation seed.
    public var seed: UInt64
    /// The size scale.
    public var scale: Double
    /// Bytes a page (scan with `--page-size` this value).
    public var pageSize: Int
    /// Guests in the fleet.
    public var guests: Int
    /// Snapshots after the base one (0 without `--timeline`).
    public var timelineSteps: Int
    /// Seconds between snapshots (absent without `--timeline`).
    public var intervalSeconds: Double?
    /// One entry a set: the base images (step 0), then each snapshot. Scan a set's images (the
    /// files in its `images[].path`, in that order) to get its counts.
    public var sets: [ExpectedCounts]

    enum CodingKeys: String, CodingKey {
        case format, seed, scale, guests, sets
        case pageSize = "page_size"
        case timelineSteps = "timeline_steps"
        case intervalSeconds = "interval_seconds"
    }

    /// The expectations for every set of `timeline` over `plan`.
    public init(plan: FleetPlan, timeline: ChurnTimeline, tunables: KSMTunables = .defaults) {
        seed = plan.seed
        scale = plan.scale
        pageSize = plan.pageSize
        guests = plan.guests.count
        timelineSteps = timeline.steps
        intervalSeconds = timeline.steps > 0 ? timeline.interval : nil
        // Each guest's pages that differ from its base image, carried from step to step.
        var overrides = Array(repeating: [Int: PageContent](), count: plan.guests.count)
        sets = []
        for step in 0...timeline.steps {
            if step > 0 {
                for guest in overrides.indices {
                    for change in timeline.guests[guest][step - 1].changes {
                        overrides[guest][change.page] = change.content
                    }
                }
            }
            sets.append(
                ExpectedCounts(plan: plan, timeline: timeline, step: step, overrides: overrides, tunables: tunables))
        }
    }
}
