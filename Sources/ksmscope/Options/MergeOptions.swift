import ArgumentParser
import KSMScope

/// `--max-page-sharing` and `--use-zero-pages`: the two tunables the converged counters depend
/// on, shared by every command that predicts or checks them.
struct MergeOptions: ParsableArguments {
    @Option(
        name: .customLong("max-page-sharing"),
        help: ArgumentHelp("The kernel's max_page_sharing: most mappings per KSM page (at least 2).", valueName: "n"))
    var maxPageSharing = 256

    @Flag(
        name: .customLong("use-zero-pages"),
        help: "The kernel's use_zero_pages=1: all-zero pages map to the kernel's zero page.")
    var useZeroPages = false

    func validate() throws {
        do { _ = try tunables() } catch { throw ValidationError("--max-page-sharing: \(error)") }
    }

    /// The tunables these options ask for.
    func tunables() throws(KSMTunablesError) -> KSMTunables {
        try KSMTunables(maxPageSharing: maxPageSharing, useZeroPages: useZeroPages)
    }
}
