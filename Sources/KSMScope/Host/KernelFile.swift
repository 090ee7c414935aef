#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Reads the kernel's small text files under `/sys` and `/proc` (which report size 0 or 4096
/// whatever they hold, so they are read to the end), telling a missing file (the kernel lacks
/// the feature) from one that cannot be read.
public enum KernelFile {
    /// Reads a whole file as text.
    public static func text(_ path: String) -> HostReading<String> {
        do {
            return .value(try ProcFiles.text(path))
        } catch {
            return error.code == ENOENT || error.code == ENOTDIR
                ? .missing(path: path) : .unreadable(path: path, reason: error.reason)
        }
    }

    /// Reads a file holding one value, trimmed; for a choice such as `always [madvise] never`
    /// (`transparent_hugepage/enabled`, `ksm/advisor_mode`) the selected one in brackets.
    public static func value(_ path: String) -> HostReading<String> {
        text(path).map { text in
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let open = trimmed.firstIndex(of: "["), let close = trimmed.firstIndex(of: "]"), open < close {
                return String(trimmed[trimmed.index(after: open)..<close])
            }
            return trimmed
        }
    }

    /// Reads a file holding one integer.
    public static func integer(_ path: String) -> HostReading<Int> {
        value(path).flatMap { text in
            Int(text).map(HostReading.value) ?? .unreadable(path: path, reason: "not an integer: \(text)")
        }
    }

    /// Whether a file or folder exists; one in a folder that may not be searched counts as
    /// existing (reading it then says why it cannot be read).
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0 || errno == EACCES
    }

    /// The names in a folder, sorted; empty when it is missing or cannot be listed.
    public static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// A file's permission bits, `ls` style (`r--r--r--`); nil when it cannot be stat'ed.
    public static func permissions(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let letters = Array("rwxrwxrwx")
        return String(letters.enumerated().map { index, letter in
            status.st_mode & (0o400 >> mode_t(index)) != 0 ? letter : "-"
        })
    }
}
