/// The KVM modules loaded (`/sys/module/kvm*`) and the parameters that decide whether guests
/// get hardware-assisted paging.
public struct KVMModules: Sendable, Equatable {
    /// Whether `kvm` itself is loaded (or built in).
    public var kvm: Bool
    /// The vendor modules present, `kvm_intel` or `kvm_amd`, with their paging parameters.
    public var vendorModules: [Module]
    /// Other `kvm_*` modules loaded, such as `kvm_pvm` (guests without hardware
    /// virtualization, on shadow page tables).
    public var otherModules: [String]

    /// A loaded vendor module.
    public struct Module: Sendable, Equatable {
        /// `kvm_intel` or `kvm_amd`.
        public var name: String
        /// The family it drives.
        public var family: VirtualizationFamily
        /// `ept` and `vpid`, or `npt`, as read from `parameters/` (`Y`/`N`, or `1`/`0` on older kernels).
        public var parameters: [KernelSetting]

        /// Whether a parameter is on: nil when it cannot be read.
        public func isOn(_ parameter: String) -> Bool? {
            guard let value = parameters.first(where: { $0.name == parameter })?.value.value else { return nil }
            return ["Y", "y", "1"].contains(value)
        }
    }

    /// Reads `/sys/module` under `roots`.
    public static func read(_ roots: HostRoots) -> KVMModules {
        let modules = roots.sys("module")
        var vendor: [Module] = []
        for family in [VirtualizationFamily.vmx, .svm] where KernelFile.exists(modules + "/" + family.module) {
            vendor.append(
                Module(
                    name: family.module, family: family,
                    parameters: family.moduleParameters.map {
                        KernelSetting(name: $0, value: KernelFile.value("\(modules)/\(family.module)/parameters/\($0)"))
                    }))
        }
        let others = KernelFile.entries(modules).filter {
            $0.hasPrefix("kvm_") && $0 != "kvm_intel" && $0 != "kvm_amd"
        }
        return KVMModules(kvm: KernelFile.exists(modules + "/kvm"), vendorModules: vendor, otherModules: others)
    }
}
