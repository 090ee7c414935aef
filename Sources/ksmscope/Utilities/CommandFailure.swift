import ArgumentParser

/// Turns library errors into one line on standard error and exit status 1, never a trace.
enum CommandFailure {
    /// Runs `body`; on error prints `ksmscope: <description>` and exits with failure.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            var standardError = StandardError()
            print("ksmscope: \(error)", to: &standardError)
            throw ExitCode.failure
        }
    }
}
