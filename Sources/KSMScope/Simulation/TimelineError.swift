/// A timeline that cannot be used.
public enum TimelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `--timeline` argument that is not `NAME=FILE0,FILE1,…`.
    case malformed(String)
    /// A `--timeline` argument with one snapshot: nothing would ever change.
    case singleSnapshot(String)
    /// Snapshots of one guest with different page counts, which the real kernel's run cannot
    /// replay (it writes each snapshot's pages into the same memory).
    case unequalSnapshots(guest: String, pages: [Int])
    /// Two timelines with the same name.
    case duplicateName(String)
    /// A `--step-scans` below 1.
    case stepScans(Int)
    /// A manifest that cannot be read or decoded.
    case unreadableManifest(path: String, reason: String)
    /// A manifest for another page size than the simulation's.
    case pageSizeMismatch(path: String, manifest: Int, simulation: Int)
    /// Guests whose snapshot `step` takes effect at different moments.
    case inconsistentSteps(step: Int)
    /// Snapshot triggers that are not in increasing order, or mix full scans and seconds.
    case unorderedTriggers(guest: String)

    public var description: String {
        switch self {
        case .malformed(let text): "--timeline '\(text)': expected NAME=FILE0,FILE1,..."
        case .singleSnapshot(let text):
            "--timeline '\(text)': a timeline needs at least two snapshots (name a single image as a plain input)"
        case .unequalSnapshots(let guest, let pages):
            "timeline '\(guest)': its snapshots have different page counts (\(pages.map(String.init).joined(separator: ", "))); "
                + "the kernel comparison writes every snapshot into the same memory, so they must be equal"
        case .duplicateName(let name): "--timeline: the name '\(name)' is used twice"
        case .stepScans(let scans): "--step-scans \(scans): must be at least 1"
        case .unreadableManifest(let path, let reason): "\(path): cannot read timeline manifest: \(reason)"
        case .pageSizeMismatch(let path, let manifest, let simulation):
            "\(path): the timeline is for \(manifest)-byte pages, the simulation uses \(simulation) (--page-size)"
        case .inconsistentSteps(let step):
            "timelines disagree on when snapshot \(step) takes effect (mixing --timeline with a manifest?)"
        case .unorderedTriggers(let guest):
            "timeline '\(guest)': snapshots must take effect in increasing order, all by full scans or all by seconds"
        }
    }
}
