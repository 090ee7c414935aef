/// A tunable the kernel would refuse, or with which ksmd would never finish a full scan.
public enum KSMTunablesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value below the kernel's minimum (EINVAL).
    case belowMinimum(knob: String, value: Int, minimum: Int)
    /// A value above what the kernel's type holds (EINVAL or ERANGE).
    case aboveMaximum(knob: String, value: Int, maximum: Int)
    /// `pages_to_scan` written while `advisor_mode` is scan-time (EINVAL).
    case pagesToScanWithAdvisor
    /// A value the kernel takes but with which ksmd scans nothing, so no full scan ever ends.
    case neverScans(knob: String)
    /// A timer frequency the kernel cannot be configured with.
    case unsupportedHZ(Int)

    public var description: String {
        switch self {
        case .belowMinimum(let knob, let value, let minimum):
            minimum == 0
                ? "\(knob) \(value) is negative: the kernel takes an unsigned number"
                : "\(knob) \(value) is below the kernel's minimum of \(minimum) (EINVAL)"
        case .aboveMaximum(let knob, let value, let maximum):
            "\(knob) \(value) is above the kernel's maximum of \(maximum)"
        case .pagesToScanWithAdvisor:
            "pages_to_scan cannot be set while advisor_mode is scan-time: the kernel refuses the write with EINVAL "
                + "(the advisor sets it; advisor_min_pages_to_scan is where it starts)"
        case .neverScans(let knob):
            "\(knob) 0 would keep ksmd from scanning any page: no full scan would ever end"
        case .unsupportedHZ(let hz):
            "HZ \(hz) is not a kernel choice (\(SimulatorTunables.kernelHZChoices.map(String.init).joined(separator: ", ")))"
        }
    }
}
