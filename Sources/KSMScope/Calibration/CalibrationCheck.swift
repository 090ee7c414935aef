/// How well a profile predicts the real ksmd on guests it was not fitted to: the same guests
/// and tunables run on the kernel (``KsmdMeasurement``) and in the simulator, compared at the
/// end of given full scans.
public struct CalibrationCheck: Sendable {
    /// The profile checked.
    public var profile: KsmdProfile
    /// Whose `cmp_and_merge_page()` order the simulator follows.
    public var kernel: KernelVersion = .running

    /// Checks `profile`.
    public init(profile: KsmdProfile) { self.profile = profile }

    /// One full scan, predicted beside measured.
    public struct Row: Sendable, Equatable, Codable {
        /// The guests' name.
        public var workload: String
        /// `pages_to_scan`.
        public var pagesToScan: Int
        /// `sleep_millisecs`.
        public var sleepMillisecs: Int
        /// `smart_scan`.
        public var smartScan: Bool
        /// The full scan (1 = the first).
        public var fullScan: Int
        /// Seconds from ksmd's start to the end of that full scan: simulator.
        public var predictedSeconds: Double
        /// The same, kernel.
        public var measuredSeconds: Double
        /// ksmd's CPU seconds by then: simulator.
        public var predictedCPUSeconds: Double
        /// The same, kernel (`/proc/PID/schedstat`).
        public var measuredCPUSeconds: Double
        /// `pages_scanned` by then: simulator.
        public var predictedPagesScanned: Int
        /// The same, kernel: more means another process used KSM meanwhile and its pages cost
        /// ksmd time too.
        public var measuredPagesScanned: Int

        /// (predicted − measured) / measured wall time.
        public var secondsError: Double { (predictedSeconds - measuredSeconds) / measuredSeconds }
        /// (predicted − measured) / measured CPU time.
        public var cpuError: Double { (predictedCPUSeconds - measuredCPUSeconds) / measuredCPUSeconds }

        enum CodingKeys: String, CodingKey {
            case workload
            case pagesToScan = "pages_to_scan"
            case sleepMillisecs = "sleep_millisecs"
            case smartScan = "smart_scan"
            case fullScan = "full_scan"
            case predictedSeconds = "predicted_seconds"
            case measuredSeconds = "measured_seconds"
            case predictedCPUSeconds = "predicted_cpu_seconds"
            case measuredCPUSeconds = "measured_cpu_seconds"
            case predictedPagesScanned = "predicted_pages_scanned"
            case measuredPagesScanned = "measured_pages_scanned"
        }
    }

    /// The simulator's wall and CPU seconds at the end of each of the first `fullScans` full
    /// scans of `contents` (one guest per image) with `tunables`.
    public func predict(contents: ContentMap, tunables: SimulatorTunables, fullScans: Int, pageSize: Int = 4096)
        -> [(seconds: Double, cpuSeconds: Double, pagesScanned: Int)]
    {
        var simulator = KSMSimulator(
            contents: contents, tunables: tunables, kernel: kernel, costs: profile.costs, pageSize: pageSize)
        var ends: [(Double, Double, Int)] = []
        while ends.count < fullScans {
            if simulator.scanBatch() {
                ends.append((simulator.seconds, simulator.cpuNanoseconds / 1e9, simulator.sample.pagesScanned))
            }
            simulator.sleepAfterBatch()
        }
        return ends
    }

    /// Runs `images` (each guest's bytes; `contents` is their content map) on the real ksmd through
    /// `measurement` and in the simulator, and compares them at `fullScans`.
    ///
    /// - Throws: ``KernelError`` when the kernel cannot be driven.
    public func compare(
        workload: String, images: [[UInt8]], contents: ContentMap, tunables: SimulatorTunables,
        fullScans: [Int], measurement: KsmdMeasurement, pageSize: Int = 4096
    ) throws -> [Row] {
        let last = fullScans.max() ?? 1
        let measured = try measurement.run(images: images, tunables: tunables, fullScans: last)
        let predicted = predict(contents: contents, tunables: tunables, fullScans: last, pageSize: pageSize)
        return fullScans.filter { $0 <= measured.count }.map { scan in
            Row(
                workload: workload, pagesToScan: tunables.pagesToScan, sleepMillisecs: tunables.sleepMillisecs,
                smartScan: tunables.smartScan, fullScan: scan, predictedSeconds: predicted[scan - 1].seconds,
                measuredSeconds: measured[scan - 1].seconds, predictedCPUSeconds: predicted[scan - 1].cpuSeconds,
                measuredCPUSeconds: measured[scan - 1].cpuSeconds, predictedPagesScanned: predicted[scan - 1].pagesScanned,
                measuredPagesScanned: measured[scan - 1].pagesScanned)
        }
    }
}
