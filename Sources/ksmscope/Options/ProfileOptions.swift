import ArgumentParser
import KSMScope

/// `--profile FILE`: the ksmd cost profile `ksmscope calibrate` wrote, for every command that
/// prices ksmd's CPU time and time.
struct ProfileOptions: ParsableArguments {
    @Option(
        name: .customLong("profile"),
        help: ArgumentHelp(
            "ksmd cost profile written by 'ksmscope calibrate --out' (default: the built-in profile).",
            valueName: "file"))
    var path: String?

    /// The profile: the file, checked against the run's page size, or the built-in one.
    func load(pageSize: Int) throws(KsmdProfileError) -> KsmdProfile {
        try KsmdProfile.resolve(path: path, pageSize: pageSize)
    }
}
