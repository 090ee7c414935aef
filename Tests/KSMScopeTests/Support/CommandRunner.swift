import Foundation

/// Runs the built `ksmscope` executable, which sits beside the test bundle.
struct CommandRunner {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable's path.
    static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("ksmscope").path
    }

    /// Runs `ksmscope` with `arguments`, optionally as another user through setpriv.
    static func run(_ arguments: [String], asUser uid: Int? = nil) throws -> Outcome {
        guard let uid else { return try Shell.run(executable, arguments) }
        return try Shell.run(
            "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", executable] + arguments)
    }
}

/// Runs a program and collects its output.
enum Shell {
    static func run(_ executable: String, _ arguments: [String]) throws -> CommandRunner.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
