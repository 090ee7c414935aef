extension HostInspection {
    /// Hardware memory virtualization: the CPU's flags and the KVM modules' parameters.
    var virtualizationChecks: [HostCheck] { [cpuFlagsCheck, kvmModuleCheck] }

    /// `cpu_flags`: VT-x with EPT and VPID, or AMD-V with NPT, in `/proc/cpuinfo`.
    private var cpuFlagsCheck: HostCheck {
        guard let cpu = cpu.value else { return .notRead(.virtualization, "cpu_flags", cpu.problem ?? "") }
        let vendor = cpu.vendor ?? "unknown vendor"
        guard let family = cpu.family else {
            return HostCheck(
                .virtualization, "cpu_flags", .warn, read: "\(vendor): neither vmx nor svm",
                detail: "Not an x86 processor with VT-x or AMD-V: hardware-assisted paging (EPT, NPT) is checked on x86 only.")
        }
        let wanted = [family.flag] + family.pagingFlags
        var read = "\(vendor): " + wanted.map { cpu.flags.contains($0) ? $0 : "no \($0)" }.joined(separator: ", ")
        if cpu.isVirtualMachine { read += "; hypervisor (this host is a VM)" }
        let nested =
            cpu.isVirtualMachine
            ? " This host is itself a VM: its host must pass the extension through (libvirt: <cpu mode='host-passthrough'/>)."
            : ""
        let enable =
            cpu.isVirtualMachine
            ? "expose \(family.flag) to this VM on its host (QEMU: -cpu host)"
            : "enable \(family.firmwareName) in the firmware (BIOS/UEFI) setup"
        if !cpu.flags.contains(family.flag) {
            return HostCheck(
                .virtualization, "cpu_flags", .fail, read: read, fix: [enable],
                detail: "No hardware virtualization: KVM cannot use \(family.module), so guests run emulated (TCG) "
                    + "or, with kvm_pvm, on shadow page tables: every guest page-table update traps to the host." + nested)
        }
        let paging = family.pagingFlags[0]
        if !cpu.flags.contains(paging) {
            return HostCheck(
                .virtualization, "cpu_flags", .fail, read: read, fix: [enable],
                detail: "No \(paging.uppercased()): KVM falls back to shadow page tables. The host keeps a copy of "
                    + "every guest page table and traps each update to it, which costs CPU on every guest "
                    + "page fault and context switch, and memory per guest process." + nested)
        }
        if let missing = family.pagingFlags.first(where: { !cpu.flags.contains($0) }) {
            return HostCheck(
                .virtualization, "cpu_flags", .warn, read: read, fix: [enable],
                detail: "No \(missing.uppercased()): guests use hardware-assisted paging, but the TLB is flushed "
                    + "on every switch between guest and host." + nested)
        }
        return HostCheck(
            .virtualization, "cpu_flags", .ok, read: read,
            detail: "Hardware-assisted paging: the CPU walks guest page tables itself, no shadow page tables.")
    }

    /// `kvm_module`: `kvm` and `kvm_intel` (`ept`, `vpid`) or `kvm_amd` (`npt`) under `/sys/module`.
    private var kvmModuleCheck: HostCheck {
        let family = cpu.value?.family
        let hasFlag = family.map { cpu.value?.flags.contains($0.flag) == true } ?? false
        var read = kvm.kvm ? "kvm loaded" : "kvm not loaded"
        let absentModules = (family.map { [$0] } ?? [.vmx, .svm]).map(\.module).filter { name in
            !kvm.vendorModules.contains { $0.name == name }
        }
        for module in kvm.vendorModules {
            read += "; \(module.name) " + module.parameters.map { "\($0.name) \($0.value.value ?? "?")" }.joined(separator: ", ")
        }
        if !absentModules.isEmpty { read += "; \(absentModules.joined(separator: ", ")) not loaded" }
        if !kvm.otherModules.isEmpty { read += "; also \(kvm.otherModules.joined(separator: ", "))" }
        let pvm =
            kvm.otherModules.contains("kvm_pvm")
            ? " kvm_pvm (PVM) runs guests without hardware virtualization, always on shadow page tables." : ""
        let load = family.map { "modprobe \($0.module)" } ?? "modprobe kvm_intel   # kvm_amd on AMD"
        let loadFix = hasFlag || family == nil ? [load] : ["enable \(family!.flag) first (see cpu_flags), then: \(load)"]

        guard let module = kvm.vendorModules.first(where: { family == nil || $0.family == family }) else {
            return HostCheck(
                .virtualization, "kvm_module", .fail, read: read, fix: loadFix,
                detail: (kvm.kvm
                    ? "kvm is loaded without its vendor module: no guest gets hardware virtualization."
                    : "Without kvm, QEMU can only emulate guests (TCG), many times slower.") + pvm)
        }
        let paging = module.family.moduleParameters[0]
        let persist =
            "echo 'options \(module.name) "
            + module.family.moduleParameters.map { "\($0)=Y" }.joined(separator: " ") + "' > /etc/modprobe.d/kvm.conf"
        let reload = "modprobe -r \(module.name) && modprobe \(module.name)"
        let whenStopped = " Reload the module with every guest stopped."
        if let unread = module.parameters.first(where: { $0.value.value == nil }) {
            return .notRead(.virtualization, "kvm_module", unread.value.problem ?? unread.name)
        }
        if module.isOn(paging) == false {
            return HostCheck(
                .virtualization, "kvm_module", .fail, read: read, fix: [persist, reload],
                detail: "\(module.name) runs with \(paging)=N: guests use shadow page tables although the CPU "
                    + "has \(paging.uppercased()).\(whenStopped)\(pvm)")
        }
        if let off = module.family.moduleParameters.dropFirst().first(where: { module.isOn($0) == false }) {
            return HostCheck(
                .virtualization, "kvm_module", .warn, read: read, fix: [persist, reload],
                detail: "\(module.name) runs with \(off)=N: the TLB is flushed on every switch between guest and host."
                    + whenStopped + pvm)
        }
        return HostCheck(
            .virtualization, "kvm_module", .ok, read: read,
            detail: "\(module.name) uses hardware-assisted paging for every guest.\(pvm)")
    }
}
