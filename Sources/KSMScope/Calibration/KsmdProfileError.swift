/// A profile that cannot be used.
public enum KsmdProfileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(reason: String)
    /// The data is not a JSON object.
    case notJSON
    /// The object has no `format`, or one that is not a ksmscope profile's.
    case notAProfile(format: String?)
    /// The format is a later version than this ksmscope reads.
    case newerFormat(String)
    /// A coefficient is missing, unknown, negative or not finite.
    case costs(KSMCostProfileError)
    /// Another field is missing or of the wrong type (its key path).
    case invalidField(String)
    /// The profile is for another page size than the run.
    case pageSize(profile: Int, run: Int)
    /// A problem in the file at `path`.
    indirect case file(path: String, problem: KsmdProfileError)

    public var description: String {
        switch self {
        case .unreadable(let reason): "cannot read the profile: \(reason)"
        case .notJSON: "a profile must be a JSON object (written by 'ksmscope calibrate --out')"
        case .notAProfile(let format):
            "not a ksmscope profile (format \(format.map { "'\($0)'" } ?? "missing"), expected '\(KsmdProfile.formatName)')"
        case .newerFormat(let format):
            "profile format '\(format)' is newer than this ksmscope reads ('\(KsmdProfile.formatName)'): update ksmscope or calibrate again"
        case .costs(let problem):
            "\(problem)".replacingOccurrences(of: "cost profile: ", with: "profile costs: ")
        case .invalidField(let path): "profile: '\(path)' is missing or invalid"
        case .pageSize(let profile, let run):
            "profile is for \(profile)-byte pages but this run uses \(run)-byte pages: calibrate on a host with that page size"
        case .file(let path, let problem): "\(path): \(problem)"
        }
    }
}
