/// One guest of a simulation: one process registered with KSM, whose memory is a static image
/// or a timeline of snapshots of the same guest, each taking effect at its time.
public struct SimulatedGuest: Sendable, Equatable {
    /// A name for reports (the image's file name, or the timeline's name).
    public var name: String
    /// The snapshots in time order; the first is the memory ksmd starts on.
    public var snapshots: [Snapshot]

    /// One snapshot of the guest's memory.
    public struct Snapshot: Sendable, Equatable {
        /// The raw image file.
        public var path: String
        /// When it takes effect.
        public var trigger: SnapshotTrigger
        /// Pages the guest wrote since the previous snapshot, changed or not, when known: a
        /// write of the same bytes still breaks a merge. Pages whose content changed are
        /// written whether listed or not.
        public var writtenPages: [Int]?

        /// Creates a snapshot.
        public init(path: String, trigger: SnapshotTrigger, writtenPages: [Int]? = nil) {
            self.path = path
            self.trigger = trigger
            self.writtenPages = writtenPages
        }
    }

    /// Creates a guest from its snapshots.
    public init(name: String, snapshots: [Snapshot]) {
        self.name = name
        self.snapshots = snapshots
    }

    /// A guest whose memory is one static image.
    public init(image path: String) {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        self.init(name: file, snapshots: [Snapshot(path: path, trigger: .start)])
    }

    /// Whether the guest has more than one snapshot.
    public var isTimeline: Bool { snapshots.count > 1 }
}

