import ArgumentParser
import KSMScope

/// `--timeline NAME=FILE0,FILE1,...` (repeatable) and `--step-scans K`: timelines named on the
/// command line, beside the image paths and `timeline.json` manifests a command takes.
struct TimelineOptions: ParsableArguments {
    @Option(
        name: .customLong("timeline"),
        help: ArgumentHelp("Snapshots of one guest in time order (repeatable).", valueName: "name=file0,file1,..."))
    var timelines: [String] = []

    @Option(
        name: .customLong("step-scans"),
        help: ArgumentHelp("Full scans between the snapshots of --timeline.", valueName: "k"))
    var stepScans: Int?

    func validate() throws {
        do { try GuestInputs(paths: [], timelines: timelines, stepScans: stepScans).validate() } catch {
            throw ValidationError("\(error)")
        }
        if timelines.isEmpty, stepScans != nil { throw ValidationError("--step-scans applies to --timeline only") }
    }

    /// For commands that simulate guests: at least one input among `paths` and `--timeline`.
    func requireGuests(paths: [String]) throws {
        guard !paths.isEmpty || !timelines.isEmpty else {
            throw ValidationError("name at least one image, folder, timeline.json or --timeline")
        }
    }

    /// For commands that replay timelines by full scans: `--timeline` needs `--step-scans`.
    func requireStepScans() throws {
        if !timelines.isEmpty, stepScans == nil {
            throw ValidationError("--timeline needs --step-scans K (full scans between snapshots)")
        }
    }

    /// The guests named by `paths` and these timelines.
    func inputs(paths: [String]) -> GuestInputs {
        GuestInputs(paths: paths, timelines: timelines, stepScans: stepScans)
    }
}
