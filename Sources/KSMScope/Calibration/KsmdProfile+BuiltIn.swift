extension KsmdProfile {
    /// The profile used without `--profile`: ``KSMCostProfile/default``, fitted by `ksmscope
    /// calibrate` on the project's development machine (below): each CPU cost the median of
    /// three calibrations (taken while other builds ran: load averages 5.5 to 7), the time
    /// figures those of an idle machine (a 60 µs wake-up, the whole CPU while working). That
    /// machine's userspace timings are the reference an estimate scales from. Not a measurement
    /// of any other host.
    public static let builtIn = KsmdProfile(
        method: .builtIn,
        host: HostDescription(
            cpuModel: "Intel(R) Xeon(R) Processor", cores: 2, kernelRelease: "6.18.44", hz: 250, pageSize: 4096,
            date: "2026-11-30T15:17:46Z", loadAverage: nil),
        costs: .default,
        userspace: UserspaceTimings(
            xxh64PageNanoseconds: 1257, memcmpEqualPageNanoseconds: 1172, memcmpDifferingPageNanoseconds: 49))
}
