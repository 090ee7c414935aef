#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import KSMScope

/// The `ksmscope` command: what Linux KSM would do for a set of guests, and what it costs.
@main
struct KSMScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ksmscope",
        abstract: "Predict what Linux KSM (Kernel Samepage Merging) saves on guest memory images, exactly as ksmd counts it.",
        version: "0.1.0",
        subcommands: [
            Scan.self, VerifyKernel.self, Generate.self, Simulate.self, Calibrate.self, Tune.self, Plan.self,
            Host.self, Fingerprint.self, Partition.self, Combine.self,
        ]
    )

    /// Parses and runs a subcommand. Help, version and completion requests print as
    /// ArgumentParser prints them; a usage error is one line `ksmscope: MESSAGE` and exit
    /// status 64, as the README promises, instead of ArgumentParser's usage block.
    static func main() {
        // A closed pipe on standard output comes back as EPIPE from write(), which is reported
        // like any other failed write instead of killing the process.
        signal(SIGPIPE, SIG_IGN)
        // Before any thread starts: Ctrl-C must reach the cleanups even when the parent
        // started us with the signals blocked.
        InterruptCleanup.unblockSignals()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success, !(error is ExitCode) else { exit(withError: error) }
            let message = message(for: error)
            let line = message.split(separator: "\n").first.map(String.init) ?? "\(error)"
            var standardError = StandardError()
            let trimmed = line.hasPrefix("Error: ") ? String(line.dropFirst("Error: ".count)) : line
            print("ksmscope: \(trimmed)", to: &standardError)
            Glibc.exit(code.rawValue)
        }
    }
}
