#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import SystemPackage

/// Where a command's results go: standard output, or the file of an `--out` option.
///
/// A write that fails (a full disk, `> /dev/full`, a closed standard output, a pipe whose
/// reader went away) is an error like any other: one line on standard error and exit status 1,
/// never a report lost in silence.
enum ReportDestination {
    /// Standard output.
    case standardOutput
    /// A file, replaced whole: written beside it under a temporary name and renamed into place,
    /// so a failed write never leaves half a report.
    case file(String)

    /// Standard output, or the file `path` when given.
    init(_ path: String?) { self = path.map(Self.file) ?? .standardOutput }

    /// Writes `text`; on failure prints one line and throws `ExitCode.failure`.
    func write(_ text: String) throws {
        switch self {
        case .standardOutput:
            do {
                try FileDescriptor.standardOutput.writeAll(text.utf8)
            } catch {
                throw Self.fail("cannot write standard output: \(error)")
            }
        case .file(let path):
            let temporary = path + ".partial-\(getpid())"
            do {
                let descriptor = try FileDescriptor.open(
                    FilePath(temporary), .writeOnly, options: [.create, .truncate, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead, .otherRead])
                try descriptor.closeAfter {
                    try descriptor.writeAll(text.utf8)
                    guard fsync(descriptor.rawValue) == 0 else { throw Errno(rawValue: errno) }
                }
                guard rename(temporary, path) == 0 else { throw Errno(rawValue: errno) }
            } catch {
                unlink(temporary)
                throw Self.fail("\(path): cannot write: \(error)")
            }
        }
    }

    private static func fail(_ message: String) -> ExitCode {
        var standardError = StandardError()
        print("ksmscope: \(message)", to: &standardError)
        return ExitCode.failure
    }
}
