import ArgumentParser
import KSMScope

/// Image inputs a scanning command accepts besides paths (`scan` adds live processes).
protocol ExtraImageInputs: ParsableArguments {
    /// Whether these inputs name at least one image, so that no path is needed.
    var namesImages: Bool { get }
    /// The other inputs, for the message when nothing is named: ", --pid or --qemu".
    static var alternatives: String { get }
}

/// No image inputs besides paths.
struct NoExtraImageInputs: ExtraImageInputs {
    var namesImages: Bool { false }
    static var alternatives: String { "" }
}


/// Timelines as image inputs: `--timeline NAME=FILE0,FILE1,...` (repeatable), for commands that
/// apply each snapshot at their own moment (`verify-kernel`: once the real ksmd has settled).
struct TimelineImageInputs: ExtraImageInputs {
    @Option(
        name: .customLong("timeline"),
        help: ArgumentHelp(
            "A guest's snapshots in time order (repeatable): compare the simulator with ksmd over the timeline.",
            valueName: "name=file0,file1,..."))
    var timelines: [String] = []

    var namesImages: Bool { !timelines.isEmpty }
    static var alternatives: String { ", timeline.json or --timeline" }

    func validate() throws {
        do { try GuestInputs(paths: [], timelines: timelines).validate() } catch { throw ValidationError("\(error)") }
    }
}
