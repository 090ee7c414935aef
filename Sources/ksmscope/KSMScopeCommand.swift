import ArgumentParser

/// The `ksmscope` command: what Linux KSM would do for a set of guests, and what it costs.
@main
struct KSMScopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ksmscope",
        abstract: "Predict what Linux KSM (Kernel Samepage Merging) saves on guest memory images, exactly as ksmd counts it.",
        version: "0.1.0",
        subcommands: [Scan.self, VerifyKernel.self, Generate.self, Simulate.self]
    )
}
