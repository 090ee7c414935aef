/// Turns what the user names into the guests of a simulation.
public enum SimulationInputs {
    /// The guests named by `paths`, in order, then those of `timelines`.
    ///
    /// A path that is a `timeline.json` manifest (a `.json` file, or a folder holding
    /// `timeline.json`) gives the manifest's guests; any other file or folder gives one static
    /// guest per image file (``ImagePaths/expand(_:)``).
    ///
    /// - Throws: ``ImageError`` or ``TimelineError``.
    public static func guests(paths: [String], timelines: (any TimelineSource)? = nil, pageSize: Int = 4096) throws
        -> [SimulatedGuest]
    {
        var guests: [SimulatedGuest] = []
        for path in paths {
            if TimelineManifestSource.isManifest(path) {
                guests += try TimelineManifestSource(path: path, pageSize: pageSize).guests()
            } else {
                guests += try ImagePaths.expand([path]).map { SimulatedGuest(image: $0) }
            }
        }
        if let timelines { guests += try timelines.guests() }
        return guests
    }
}
