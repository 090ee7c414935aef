import ArgumentParser
import KSMScope

extension KernelVersion: ExpressibleByArgument {}
extension SimulatorTunables.AdvisorMode: ExpressibleByArgument {}

/// ksmd's scan-rate tunables, the scan-time advisor's, the timer frequency and the kernel
/// version to follow: what the simulator needs beyond ``MergeOptions``, shared by every command
/// that simulates ksmd.
struct KsmdOptions: ParsableArguments {
    @Option(
        name: .customLong("pages-to-scan"),
        help: ArgumentHelp("pages_to_scan: pages per batch (default 100; set by the advisor when it is on).", valueName: "n"))
    var pagesToScan: Int?

    @Option(
        name: .customLong("sleep-millisecs"), parsing: .unconditional,
        help: ArgumentHelp("sleep_millisecs: sleep between batches, rounded up to jiffies (default 20).", valueName: "ms"))
    var sleepMillisecs: Int?

    @Option(name: .customLong("smart-scan"), help: ArgumentHelp("smart_scan: 0 or 1 (default 1).", valueName: "0|1"))
    var smartScan: Int?

    @Option(
        name: .customLong("merge-across-nodes"),
        help: ArgumentHelp("merge_across_nodes: 0 or 1 (0: each guest is its own NUMA node).", valueName: "0|1"))
    var mergeAcrossNodes = 1

    @Option(name: .customLong("advisor-mode"), help: "advisor_mode: none or scan-time.")
    var advisorMode: SimulatorTunables.AdvisorMode = .none

    @Option(
        name: .customLong("advisor-target-scan-time"),
        help: ArgumentHelp("advisor_target_scan_time: seconds per full scan (at least 1).", valueName: "s"))
    var advisorTargetScanTime = 200

    @Option(
        name: .customLong("advisor-max-cpu"),
        help: ArgumentHelp("advisor_max_cpu: percent of a CPU.", valueName: "percent"))
    var advisorMaxCPU = 70

    @Option(
        name: .customLong("advisor-min-pages-to-scan"),
        help: ArgumentHelp("advisor_min_pages_to_scan: pages_to_scan when the advisor starts.", valueName: "n"))
    var advisorMinPagesToScan = 500

    @Option(
        name: .customLong("advisor-max-pages-to-scan"),
        help: ArgumentHelp("advisor_max_pages_to_scan: the most pages_to_scan the advisor sets.", valueName: "n"))
    var advisorMaxPagesToScan = 30000

    @Option(
        name: .customLong("stable-node-chains-prune-millisecs"),
        help: ArgumentHelp("stable_node_chains_prune_millisecs.", valueName: "ms"))
    var stableNodeChainsPruneMillisecs = 2000

    @Option(
        name: .customLong("hz"),
        help: ArgumentHelp(
            "The kernel's timer frequency CONFIG_HZ: 100, 250, 300 or 1000 (default: the profile's host's).",
            valueName: "hz"))
    var hz: Int?

    @Option(
        name: .customLong("kernel"),
        help: ArgumentHelp(
            "cmp_and_merge_page() order: 6.10 or 6.11 (default: the running kernel's, else 6.11).", valueName: "version"))
    var kernel: KernelVersion?

    func validate() throws {
        if let smartScan, smartScan != 0 && smartScan != 1 {
            throw ValidationError("--smart-scan \(smartScan): the kernel takes 0 or 1 (EINVAL)")
        }
        guard mergeAcrossNodes == 0 || mergeAcrossNodes == 1 else {
            throw ValidationError("--merge-across-nodes \(mergeAcrossNodes): the kernel takes 0 or 1 (EINVAL)")
        }
        do { _ = try tunables(merging: .defaults) } catch { throw ValidationError("\(error)") }
    }

    /// The simulator's tunables: these with `merging`'s `max_page_sharing` and `use_zero_pages`,
    /// and `defaultHZ` (the profile's host's) unless `--hz` is given.
    func tunables(merging: KSMTunables, defaultHZ: Int = SimulatorTunables.defaults.hz) throws(KSMTunablesError)
        -> SimulatorTunables
    {
        try SimulatorTunables(
            pagesToScan: pagesToScan, sleepMillisecs: sleepMillisecs ?? SimulatorTunables.defaults.sleepMillisecs,
            maxPageSharing: merging.maxPageSharing, useZeroPages: merging.useZeroPages, smartScan: smartScan != 0,
            mergeAcrossNodes: mergeAcrossNodes == 1,
            advisorMode: advisorMode, advisorTargetScanTime: advisorTargetScanTime, advisorMaxCPU: advisorMaxCPU,
            advisorMinPagesToScan: advisorMinPagesToScan, advisorMaxPagesToScan: advisorMaxPagesToScan,
            stableNodeChainsPruneMillisecs: stableNodeChainsPruneMillisecs, hz: hz ?? defaultHZ)
    }

    /// The kernel version to follow: `--kernel`, else the running kernel's.
    var kernelVersion: KernelVersion { kernel ?? .running }
}
