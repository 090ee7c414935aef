import Foundation

/// ksmd's cost model made measurable: the ``KSMCostProfile`` the simulator charges, the host it
/// was measured on, how it was obtained, and how well it fits what the kernel did. Written by
/// `ksmscope calibrate` as versioned JSON (``formatName``) and read by every command that
/// prices ksmd (`--profile`).
///
/// A profile is refused with one line when its format is newer than this ksmscope reads, a
/// coefficient is missing, negative or not finite, or it is for another page size than the run
/// (``check(pageSize:)``).
public struct KsmdProfile: Sendable, Equatable, Codable {
    /// The format this ksmscope writes and reads.
    public static let formatName = "ksmscope-profile/1"
    /// The format's version number.
    public static let formatVersion = 1

    /// `"ksmscope-profile/1"`.
    public var format: String = Self.formatName
    /// How the coefficients were obtained.
    public var method: Method
    /// Whether they were measured on the real ksmd of ``host`` (`method` `kernel`); an
    /// estimate or the built-in profile is not.
    public var measured: Bool
    /// The machine they describe.
    public var host: HostDescription
    /// The coefficients.
    public var costs: KSMCostProfile
    /// How long sleeps took, measured beside what ``KsmdClock`` predicts with ``costs``.
    public var sleeps: [SleepMeasurement]
    /// How well the coefficients reproduce the measurements they were fitted to.
    public var fit: FitSummary?
    /// Per measured full scan: measured beside fitted.
    public var residuals: [Residual]
    /// Userspace timings of the page operations ksmd does, on ``host`` (the basis of an
    /// estimate).
    public var userspace: UserspaceTimings?
    /// Where the profile was read from: a path, or `built-in`. Not part of the file.
    public var source: String = "built-in"

    /// How a profile's coefficients were obtained.
    public enum Method: String, Sendable, Codable, CustomStringConvertible {
        /// Fitted to the real ksmd's CPU time and wall time on workloads `calibrate` generated.
        case kernel
        /// Without root or KSM: the built-in coefficients scaled by this host's userspace page
        /// timings against the development machine's (``UserspaceTimings``).
        case userspaceEstimate = "userspace-estimate"
        /// The built-in profile: fitted on the project's development machine, not this host.
        case builtIn = "built-in"

        public var description: String { rawValue }
    }

    /// One sleep length, measured with batches of one page.
    public struct SleepMeasurement: Sendable, Equatable, Codable {
        /// `sleep_millisecs`.
        public var sleepMillisecs: Int
        /// `msecs_to_jiffies(sleep_millisecs)`.
        public var jiffies: Int
        /// Mean seconds from one batch's start to the next's, measured.
        public var measuredSeconds: Double
        /// The same from ``KsmdClock`` with the profile's costs.
        public var modelSeconds: Double

        /// Creates a measurement.
        public init(sleepMillisecs: Int, jiffies: Int, measuredSeconds: Double, modelSeconds: Double) {
            self.sleepMillisecs = sleepMillisecs
            self.jiffies = jiffies
            self.measuredSeconds = measuredSeconds
            self.modelSeconds = modelSeconds
        }

        enum CodingKeys: String, CodingKey {
            case jiffies
            case sleepMillisecs = "sleep_millisecs"
            case measuredSeconds = "measured_seconds"
            case modelSeconds = "model_seconds"
        }
    }

    /// The fit's quality and scope.
    public struct FitSummary: Sendable, Equatable, Codable {
        /// Full scans measured (rows of the fit).
        public var rows: Int
        /// Root mean square of (model − measured) / measured ksmd CPU time per full scan.
        public var cpuRMSRelativeError: Double
        /// The largest such error.
        public var cpuMaxRelativeError: Double
        /// Root mean square of (model − measured) / measured wall time per full scan.
        public var wallRMSRelativeError: Double
        /// The largest such error.
        public var wallMaxRelativeError: Double
        /// Coefficients fitted to the measurements (JSON keys).
        public var fitted: [String]
        /// Coefficients no measured workload exercised, kept at their built-in values.
        public var kept: [String]
        /// Full scans left out of the CPU fit as outliers (ksmd busy with something else).
        public var outliers: Int
        /// Seconds the calibration took.
        public var seconds: Double
        /// Whether it was the shorter `--quick` calibration.
        public var quick: Bool
        /// Passes over the calibration plan (`calibrate --repeat`); absent in profiles written
        /// before it existed, which made one.
        public var repeats: Int?
        /// With more than one pass: how much ksmd's CPU time for the same full scan varied
        /// between passes, root mean square of the relative deviations from their mean
        /// (``CalibrationMeasurement/repeatSpread(_:)``). The host's noise, which predictions of
        /// ksmd's CPU on it carry too.
        public var cpuRepeatSpread: Double?

        /// Creates a summary.
        public init(
            rows: Int, cpuRMSRelativeError: Double, cpuMaxRelativeError: Double, wallRMSRelativeError: Double,
            wallMaxRelativeError: Double, fitted: [String], kept: [String], outliers: Int = 0, seconds: Double,
            quick: Bool, repeats: Int? = nil, cpuRepeatSpread: Double? = nil
        ) {
            self.rows = rows
            self.cpuRMSRelativeError = cpuRMSRelativeError
            self.cpuMaxRelativeError = cpuMaxRelativeError
            self.wallRMSRelativeError = wallRMSRelativeError
            self.wallMaxRelativeError = wallMaxRelativeError
            self.fitted = fitted
            self.kept = kept
            self.outliers = outliers
            self.seconds = seconds
            self.quick = quick
            self.repeats = repeats
            self.cpuRepeatSpread = cpuRepeatSpread
        }

        enum CodingKeys: String, CodingKey {
            case rows, fitted, kept, outliers, seconds, quick, repeats
            case cpuRepeatSpread = "cpu_repeat_spread"
            case cpuRMSRelativeError = "cpu_rms_relative_error"
            case cpuMaxRelativeError = "cpu_max_relative_error"
            case wallRMSRelativeError = "wall_rms_relative_error"
            case wallMaxRelativeError = "wall_max_relative_error"
        }
    }

    /// One measured full scan beside the fitted model.
    public struct Residual: Sendable, Equatable, Codable {
        /// The calibration run (workload and settings).
        public var run: String
        /// The full scan (1 = the first).
        public var fullScan: Int
        /// ksmd's CPU time during the full scan, measured.
        public var measuredCPUSeconds: Double
        /// The same from the model.
        public var modelCPUSeconds: Double
        /// Wall time of the full scan, measured.
        public var measuredSeconds: Double
        /// The same from the model.
        public var modelSeconds: Double
        /// The pass over the plan that measured it (`calibrate --repeat`); absent for the first.
        public var repetition: Int?

        /// Creates a residual.
        public init(
            run: String, fullScan: Int, measuredCPUSeconds: Double, modelCPUSeconds: Double, measuredSeconds: Double,
            modelSeconds: Double, repetition: Int? = nil
        ) {
            self.run = run
            self.fullScan = fullScan
            self.measuredCPUSeconds = measuredCPUSeconds
            self.modelCPUSeconds = modelCPUSeconds
            self.measuredSeconds = measuredSeconds
            self.modelSeconds = modelSeconds
            self.repetition = repetition == 1 ? nil : repetition
        }

        enum CodingKeys: String, CodingKey {
            case run
            case repetition = "repeat"
            case fullScan = "full_scan"
            case measuredCPUSeconds = "measured_cpu_seconds"
            case modelCPUSeconds = "model_cpu_seconds"
            case measuredSeconds = "measured_seconds"
            case modelSeconds = "model_seconds"
        }
    }

    /// Creates a profile.
    public init(
        method: Method, host: HostDescription, costs: KSMCostProfile, sleeps: [SleepMeasurement] = [],
        fit: FitSummary? = nil, residuals: [Residual] = [], userspace: UserspaceTimings? = nil, source: String = "built-in"
    ) {
        self.method = method
        self.measured = method == .kernel
        self.host = host
        self.costs = costs
        self.sleeps = sleeps
        self.fit = fit
        self.residuals = residuals
        self.userspace = userspace
        self.source = source
    }

    /// What a report says about the profile it used.
    public var summary: Summary {
        Summary(
            source: source, method: method, measured: measured, cpuModel: host.cpuModel,
            kernelRelease: host.kernelRelease, date: host.date, cpuRepeatSpread: fit?.cpuRepeatSpread)
    }

    /// A profile as reports name it.
    public struct Summary: Sendable, Equatable, Codable, CustomStringConvertible {
        /// The file it was read from, or `built-in`.
        public var source: String
        /// How its coefficients were obtained.
        public var method: Method
        /// Whether they were measured on the real ksmd.
        public var measured: Bool
        /// The CPU it describes.
        public var cpuModel: String
        /// The kernel it describes.
        public var kernelRelease: String
        /// When it was made.
        public var date: String
        /// How much ksmd's CPU for the same work varied between calibration passes (rms, relative;
        /// ``FitSummary/cpuRepeatSpread``), when it made more than one.
        public var cpuRepeatSpread: Double?

        /// One line for text reports.
        public var description: String {
            let how =
                switch method {
                case .kernel: "measured on this kernel's ksmd"
                case .userspaceEstimate: "estimated from userspace timings, not measured on ksmd"
                case .builtIn: "built-in, fitted on the development machine, not measured on this host"
                }
            let noise = cpuRepeatSpread.map { String(format: "; ksmd CPU varied %.0f%% between passes", $0 * 100) } ?? ""
            return "\(source == "built-in" ? "built-in profile" : source) (\(how); \(cpuModel), kernel \(kernelRelease), \(date)\(noise))"
        }

        enum CodingKeys: String, CodingKey {
            case source, method, measured, date
            case cpuRepeatSpread = "cpu_repeat_spread"
            case cpuModel = "cpu_model"
            case kernelRelease = "kernel_release"
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, method, measured, host, costs, sleeps, fit, residuals, userspace
    }
}
