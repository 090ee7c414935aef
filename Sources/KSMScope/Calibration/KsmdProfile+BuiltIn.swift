extension KsmdProfile {
    /// The profile used without `--profile`: ``KSMCostProfile/default``, fitted by `ksmscope
    /// calibrate` on the project's development machine (below), with that machine's userspace
    /// timings as the reference an estimate scales from. Not a measurement of any other host.
    public static let builtIn = KsmdProfile(
        method: .builtIn,
        host: HostDescription(
            cpuModel: "Intel(R) Xeon(R) Processor", cores: 2, kernelRelease: "6.18.44", hz: 250, pageSize: 4096,
            date: "2026-11-30T00:00:00Z", loadAverage: nil),
        costs: .default,
        userspace: UserspaceTimings(
            xxh64PageNanoseconds: 500, memcmpEqualPageNanoseconds: 150, memcmpDifferingPageNanoseconds: 20))
}
