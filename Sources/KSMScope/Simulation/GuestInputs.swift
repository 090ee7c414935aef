/// What a user names as guests: image files and folders of images (one static guest each),
/// `timeline.json` manifests or folders holding one (the manifest's guests), and
/// `NAME=FILE0,FILE1,…` timelines whose snapshot `i` takes effect after `i × stepScans` full
/// scans. `simulate`, `verify-kernel` and every later command that takes timelines read their
/// inputs through this one type.
public struct GuestInputs: Sendable, Equatable {
    /// Image files, folders and manifests, in order.
    public var paths: [String]
    /// `NAME=FILE0,FILE1,…` timelines, after the paths.
    public var timelines: [String]
    /// Full scans between the snapshots of ``timelines``; nil when the consumer applies
    /// snapshots at its own moments (the real kernel, which settles before each step).
    public var stepScans: Int?

    /// Creates inputs.
    public init(paths: [String], timelines: [String] = [], stepScans: Int? = nil) {
        self.paths = paths
        self.timelines = timelines
        self.stepScans = stepScans
    }

    /// Whether nothing at all is named.
    public var isEmpty: Bool { paths.isEmpty && timelines.isEmpty }

    /// Checks the form of every `NAME=FILE0,FILE1,…` without touching files.
    ///
    /// - Throws: ``TimelineError`` for a malformed timeline, one of a single snapshot, a name
    ///   used twice or a `stepScans` below 1.
    public func validate() throws(TimelineError) {
        if let stepScans, stepScans < 1 { throw .stepScans(stepScans) }
        _ = try CommandLineTimelines(specifications: timelines, stepScans: stepScans ?? 1).parsed()
    }

    /// The guests, in order: those of the paths, then those of the timelines.
    ///
    /// A path that is a timeline manifest (``ManifestKind/timeline``, or a folder holding
    /// `timeline.json`) gives the manifest's guests; any other file or folder gives one static
    /// guest per image file (``ImagePaths/expand(_:)``, which refuses other manifests).
    ///
    /// - Throws: ``ImageError`` or ``TimelineError``.
    public func guests(pageSize: Int = 4096) throws -> [SimulatedGuest] {
        var guests: [SimulatedGuest] = []
        for path in paths {
            if TimelineManifestSource.isManifest(path) {
                guests += try TimelineManifestSource(path: path, pageSize: pageSize).guests()
            } else {
                guests += try ImagePaths.expand([path]).map { SimulatedGuest(image: $0) }
            }
        }
        if !timelines.isEmpty {
            guests += try CommandLineTimelines(specifications: timelines, stepScans: stepScans ?? 1).guests()
        }
        return guests
    }
}
