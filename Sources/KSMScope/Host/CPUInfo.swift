/// The processor as `/proc/cpuinfo` describes its first CPU: vendor, model and feature flags.
public struct CPUInfo: Sendable, Equatable {
    /// `vendor_id`, such as `GenuineIntel` or `AuthenticAMD`; nil on architectures without one.
    public var vendor: String?
    /// `model name`.
    public var model: String?
    /// The words of `flags` and of `vmx flags` (which newer kernels list apart; `ept` and
    /// `vpid` stay in `flags` too).
    public var flags: Set<String>

    /// Parses the text of `/proc/cpuinfo`; only the first processor's block is read.
    public init(text: String) {
        var vendor: String?
        var model: String?
        var flags: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if vendor != nil || !flags.isEmpty { break }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "vendor_id": vendor = value
            case "model name": model = value
            case "flags", "vmx flags": flags.formUnion(value.split(separator: " ").map(String.init))
            default: break
            }
        }
        self.vendor = vendor
        self.model = model
        self.flags = flags
    }

    /// Reads `/proc/cpuinfo` under `roots`.
    public static func read(_ roots: HostRoots) -> HostReading<CPUInfo> {
        KernelFile.text(roots.proc("cpuinfo")).map(CPUInfo.init(text:))
    }

    /// The x86 hardware virtualization family: Intel's VT-x (VMX: EPT, VPID) or AMD's AMD-V
    /// (SVM: NPT); nil when neither the flags nor the vendor say.
    public var family: VirtualizationFamily? {
        if flags.contains("vmx") { return .vmx }
        if flags.contains("svm") { return .svm }
        switch vendor {
        case "GenuineIntel", "CentaurHauls", "Shanghai": return .vmx
        case "AuthenticAMD", "HygonGenuine": return .svm
        default: return nil
        }
    }

    /// Whether the kernel runs as a guest itself (`hypervisor` flag): nested virtualization.
    public var isVirtualMachine: Bool { flags.contains("hypervisor") }
}

/// x86 hardware virtualization: the flags and KVM module that go with it.
public enum VirtualizationFamily: String, Sendable, Equatable {
    /// Intel VT-x (also Zhaoxin): `vmx`, with EPT and VPID; module `kvm_intel`.
    case vmx
    /// AMD-V (also Hygon): `svm`, with NPT; module `kvm_amd`.
    case svm

    /// The CPU flag of the extension itself.
    public var flag: String { rawValue }
    /// The flags of hardware-assisted paging and tagged TLBs: `ept` and `vpid`, or `npt`.
    public var pagingFlags: [String] { self == .vmx ? ["ept", "vpid"] : ["npt"] }
    /// The KVM module for it.
    public var module: String { self == .vmx ? "kvm_intel" : "kvm_amd" }
    /// The module parameters that switch hardware-assisted paging on: `ept`, `vpid` or `npt`.
    public var moduleParameters: [String] { pagingFlags }
    /// How vendors' firmware setups call it.
    public var firmwareName: String { self == .vmx ? "VT-x, EPT and VPID" : "AMD-V (SVM) and NPT" }
}
