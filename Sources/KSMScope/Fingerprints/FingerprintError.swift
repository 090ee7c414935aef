/// A fingerprint file that cannot be used, or a use it does not allow.
public enum FingerprintError: Error, Equatable, CustomStringConvertible {
    /// Shorter than its header, or than the header says.
    case truncated(path: String, bytes: Int, expected: Int)
    /// A format version this ksmscope does not read.
    case unsupportedVersion(path: String, version: UInt32)
    /// A hash algorithm this ksmscope does not know.
    case unsupportedHash(path: String, hash: UInt32)
    /// Fingerprints of another page size than the scan's.
    case pageSizeMismatch(path: String, file: Int, scan: Int)
    /// Header fields that contradict each other.
    case inconsistent(path: String, problem: String)
    /// The body's checksum differs from the header's: the file is damaged.
    case corrupt(path: String)
    /// A fingerprint file holds no page contents: the command needs the image.
    case noPageBytes(path: String, need: String)
    /// A sampled or incomplete fingerprint cannot say which page holds which content.
    case noPageOrder(path: String, reason: String)
    /// Two inputs would be written to the same fingerprint file.
    case duplicateName(String)
    /// A fingerprint file named as input to `fingerprint`.
    case alreadyFingerprint(path: String)
    /// Writing the file failed.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let path, let bytes, let expected):
            "\(path): fingerprint file is truncated: \(bytes) bytes, the header describes \(expected)"
        case .unsupportedVersion(let path, let version):
            "\(path): fingerprint format version \(version) is not one this ksmscope reads (\(FingerprintFile.version))"
        case .unsupportedHash(let path, let hash):
            "\(path): fingerprint hash id \(hash) is unknown (this ksmscope writes and reads \(FingerprintFile.hashID): XXH64 + XXH3-64)"
        case .pageSizeMismatch(let path, let file, let scan):
            "\(path): fingerprints of \(file)-byte pages, the scan uses \(scan)-byte pages (--page-size \(file) to use it)"
        case .inconsistent(let path, let problem): "\(path): fingerprint header is inconsistent: \(problem)"
        case .corrupt(let path): "\(path): fingerprint file is corrupt: its checksum does not match its contents"
        case .noPageBytes(let path, let need):
            "\(path): a fingerprint file holds no page contents; \(need) needs the memory image itself"
        case .noPageOrder(let path, let reason):
            "\(path): this fingerprint cannot place contents at their pages (\(reason)); simulate needs a complete fingerprint"
        case .duplicateName(let name): "two inputs would both be written as \(name): fingerprint them into separate folders"
        case .alreadyFingerprint(let path): "\(path): is already a fingerprint file"
        case .cannotWrite(let path, let reason): "\(path): cannot write: \(reason)"
        }
    }
}
