/// A problem writing a generated image set. Nothing is left in `--out` when one is thrown: the
/// set is built in a hidden folder beside it, which is removed on failure.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// The folder that would hold `--out` does not exist.
    case noParent(path: String)
    /// `--out` exists and is not a folder.
    case notAFolder(path: String)
    /// `--out` is a folder that already holds files, and replacing was not asked for.
    case outputExists(path: String)
    /// The folder that would hold `--out` cannot be written to.
    case notWritable(path: String, reason: String)
    /// The fleet's images need more disk space than the file system has free.
    case insufficientSpace(path: String, needed: Int, available: Int)
    /// A system call failed.
    case io(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .noParent(let path): "\(path): the folder to create it in does not exist"
        case .notAFolder(let path): "\(path): exists and is not a folder"
        case .outputExists(let path): "\(path): folder exists and is not empty (--force replaces it)"
        case .notWritable(let path, let reason): "\(path): cannot create the output folder here: \(reason)"
        case .insufficientSpace(let path, let needed, let available):
            "fleet: the images need \(Figures.bytes(needed)) on disk (zero pages are left as holes) "
                + "but \(path) has \(Figures.bytes(available)) free"
        case .io(let path, let operation, let reason): "\(path): \(operation) failed: \(reason)"
        }
    }
}
