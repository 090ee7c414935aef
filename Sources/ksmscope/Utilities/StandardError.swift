#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Standard error as a text stream, for diagnostics and progress; stdout carries results only.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        _ = try? FileDescriptor.standardError.writeAll(string.utf8)
    }

    /// Whether standard error is a terminal (progress bars are drawn only then).
    static var isTerminal: Bool { isatty(FileDescriptor.standardError.rawValue) == 1 }
}
