#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch

/// Runs the real ksmd on pages held by child processes with given tunables and records, at the
/// end of every full scan, the wall time since ksmd was started and the CPU time ksmd used
/// (``KsmdProcess``): what `ksmscope calibrate` fits its coefficients to, and what the
/// simulator's predictions are checked against.
///
/// Every setting goes through a ``KSMSettingsGuard`` the caller holds (one guard for a series
/// of runs), which restores all of them afterwards, also on failure and on signals.
public struct KsmdMeasurement: Sendable {
    /// The guard the runs change settings through.
    public let settings: KSMSettingsGuard
    /// ksmd.
    public let ksmd: KsmdProcess
    /// Microseconds between two readings of `full_scans`: the resolution of the wall times.
    public var pollMicroseconds: UInt32 = 300
    /// Seconds one run may take before it is given up.
    public var timeoutSeconds = 120.0

    /// Measures through `settings`.
    ///
    /// - Throws: ``KernelError/noKsmd(procRoot:)`` when ksmd cannot be found.
    public init(settings: KSMSettingsGuard) throws(KernelError) {
        self.settings = settings
        ksmd = try KsmdProcess.find()
    }

    /// One full scan's end.
    public struct FullScan: Sendable, Equatable, Codable {
        /// `full_scans` counted from the run's start (1 = the first).
        public var fullScans: Int
        /// Seconds from writing `run` 1 to seeing `full_scans` reach this.
        public var seconds: Double
        /// ksmd's CPU time since the start, seconds.
        public var cpuSeconds: Double
        /// Times ksmd was given a CPU since the start (about one per batch on an idle machine).
        public var timeslices: Int
        /// `pages_sharing + ksm_zero_pages` then.
        public var savedPages: Int
        /// `pages_scanned` since the start: pages of other processes that use KSM meanwhile
        /// show here (and in ksmd's CPU time).
        public var pagesScanned: Int

        /// Creates a reading.
        public init(
            fullScans: Int, seconds: Double, cpuSeconds: Double, timeslices: Int, savedPages: Int, pagesScanned: Int = 0
        ) {
            self.fullScans = fullScans
            self.seconds = seconds
            self.cpuSeconds = cpuSeconds
            self.timeslices = timeslices
            self.savedPages = savedPages
            self.pagesScanned = pagesScanned
        }

        enum CodingKeys: String, CodingKey {
            case seconds
            case fullScans = "full_scans"
            case cpuSeconds = "cpu_seconds"
            case timeslices
            case savedPages = "saved_pages"
            case pagesScanned = "pages_scanned"
        }
    }

    /// ``run(images:tunables:fullScans:stop:)`` on the bytes of `images`.
    public func run(
        images: [[UInt8]], tunables: SimulatorTunables, fullScans: Int, stop: ([FullScan]) -> Bool = { _ in false }
    ) throws -> [FullScan] {
        var buffers: [UnsafeRawBufferPointer] = []
        func nest(_ index: Int) throws -> [FullScan] {
            guard index < images.count else {
                return try run(images: buffers, tunables: tunables, fullScans: fullScans, stop: stop)
            }
            return try images[index].withUnsafeBytes { buffer in
                buffers.append(buffer)
                return try nest(index + 1)
            }
        }
        return try nest(0)
    }

    /// Loads `images` (one holder process each, registered in order), runs ksmd with
    /// `tunables` for `fullScans` full scans (or until `stop` says so after a full scan), and
    /// unmerges and ends the holders again.
    ///
    /// - Parameters:
    ///   - images: each guest's bytes (whole pages).
    ///   - tunables: `pages_to_scan` (or the advisor), `sleep_millisecs`, `max_page_sharing`,
    ///     `use_zero_pages`, `smart_scan` and the advisor's knobs are written.
    ///   - stop: asked after every full scan with the readings so far.
    /// - Throws: ``KernelError`` when a setting is refused, the pages cannot be held, or the
    ///   run takes longer than ``timeoutSeconds``.
    public func run(
        images: [UnsafeRawBufferPointer], tunables: SimulatorTunables, fullScans: Int,
        stop: ([FullScan]) -> Bool = { _ in false }
    ) throws -> [FullScan] {
        let sysfs = settings.sysfs
        var values: [(String, String)] = [
            ("max_page_sharing", "\(tunables.maxPageSharing)"), ("use_zero_pages", tunables.useZeroPages ? "1" : "0"),
            ("merge_across_nodes", tunables.mergeAcrossNodes ? "1" : "0"),
            ("smart_scan", tunables.smartScan ? "1" : "0"), ("sleep_millisecs", "\(tunables.sleepMillisecs)"),
            ("stable_node_chains_prune_millisecs", "\(tunables.stableNodeChainsPruneMillisecs)"),
        ]
        if tunables.advisorMode == .scanTime {
            values += [
                ("advisor_max_cpu", "\(tunables.advisorMaxCPU)"),
                ("advisor_target_scan_time", "\(tunables.advisorTargetScanTime)"),
                ("advisor_min_pages_to_scan", "\(tunables.advisorMinPagesToScan)"),
                ("advisor_max_pages_to_scan", "\(tunables.advisorMaxPagesToScan)"),
                ("advisor_mode", "scan-time"),
            ]
        } else {
            values.append(("pages_to_scan", "\(tunables.pagesToScan)"))
        }
        try settings.apply(values)
        defer {
            try? sysfs.write("run", "2")
            settings.releaseHolders()
        }
        for (index, image) in images.enumerated() {
            settings.adopt(try PageHolder(path: "calibration image \(index)", bytes: image))
        }
        let before = try ksmd.schedstat()
        let startScans = try sysfs.readInt("full_scans")
        let startScanned = try sysfs.readInt("pages_scanned")
        let start = DispatchTime.now().uptimeNanoseconds
        try sysfs.write("run", "1")
        var readings: [FullScan] = []
        var last = startScans
        while readings.count < fullScans {
            usleep(pollMicroseconds)
            let now = DispatchTime.now().uptimeNanoseconds
            let seconds = Double(now - start) / 1e9
            let count = try sysfs.readInt("full_scans")
            if count != last {
                let reading = try ksmd.schedstat()
                let counters = try sysfs.counters()
                last = count
                readings.append(
                    FullScan(
                        fullScans: count - startScans, seconds: seconds,
                        cpuSeconds: Double(reading.runNanoseconds &- before.runNanoseconds) / 1e9,
                        timeslices: Int(reading.timeslices &- before.timeslices),
                        savedPages: counters["pages_sharing"] + counters["ksm_zero_pages"],
                        pagesScanned: counters["pages_scanned"] - startScanned))
                if stop(readings) { break }
            }
            guard seconds < timeoutSeconds else {
                throw KernelError.notConverged(seconds: seconds, fullScans: count - startScans)
            }
        }
        return readings
    }
}
