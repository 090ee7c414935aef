import Foundation

extension FleetSpec {
    /// Parses and checks a spec document.
    ///
    /// - Throws: ``FleetSpecError`` naming the key path of the first problem: unknown keys,
    ///   missing keys, wrong types, negative sizes, fractions outside 0 … 1, undefined or
    ///   repeated names, and guest types whose OS, libraries and free memory exceed their memory.
    public init(json data: Data) throws(FleetSpecError) {
        let root = try SpecObject(SpecJSON.parse(data), path: "", keys: ["page_size", "os", "libraries", "fleet"])
        comment = try root.string("comment")
        let bytes = try root.integer("page_size") ?? 4096
        do {
            pageSize = try PageSize(bytes: bytes)
        } catch {
            throw .invalidValue(key: "page_size", reason: "\(error)")
        }

        guard let osItems = try root.array("os") else { throw .missingKey(key: "os") }
        guard !osItems.isEmpty else { throw .invalidValue(key: "os", reason: "must name at least one OS") }
        operatingSystems = []
        for (index, item) in osItems.enumerated() {
            operatingSystems.append(try Self.operatingSystem(item, path: "os[\(index)]"))
        }
        try Self.checkUnique(operatingSystems.map(\.name), path: "os")

        libraries = []
        for (index, item) in (try root.array("libraries") ?? []).enumerated() {
            let object = try SpecObject(item, path: "libraries[\(index)]", keys: ["name", "mib"])
            libraries.append(Library(name: try Self.name(object), mib: try object.positive("mib")))
        }
        try Self.checkUnique(libraries.map(\.name), path: "libraries")

        guard let fleetItems = try root.array("fleet") else { throw .missingKey(key: "fleet") }
        guard !fleetItems.isEmpty else {
            throw .invalidValue(key: "fleet", reason: "must list at least one guest type")
        }
        fleet = []
        for (index, item) in fleetItems.enumerated() {
            fleet.append(try Self.guestType(item, path: "fleet[\(index)]"))
        }
        try Self.checkUnique(fleet.map(\.name), path: "fleet")
        try validate()
    }

    /// Checks the cross references and ranges that the parser cannot check one key at a time;
    /// ``FleetPlan`` calls it for specs built in code.
    public func validate() throws(FleetSpecError) {
        let osNames = Set(operatingSystems.map(\.name))
        let libraryNames = Set(libraries.map(\.name))
        for (index, os) in operatingSystems.enumerated() {
            let path = "os[\(index)]"
            try Self.checkName(os.name, path: "\(path).name")
            for (key, value) in [
                ("kernel_text_mib", os.kernelTextMiB), ("kernel_data_mib", os.kernelDataMiB),
                ("page_cache_mib", os.pageCacheMiB),
            ] where !(value >= 0) {
                throw .negative(key: "\(path).\(key)", value: value)
            }
            for (key, value) in [
                ("kernel_data_private", os.kernelDataPrivate), ("page_cache_private", os.pageCachePrivate),
                ("family_shared", os.familyShared), ("global_shared", os.globalShared),
            ] where !(value >= 0 && value <= 1) {
                throw .notAFraction(key: "\(path).\(key)", value: value)
            }
            guard os.familyShared + os.globalShared <= 1 else {
                throw .invalidValue(
                    key: "\(path).family_shared",
                    reason: "family_shared + global_shared is \(os.familyShared + os.globalShared), more than 1")
            }
        }
        for (index, library) in libraries.enumerated() {
            try Self.checkName(library.name, path: "libraries[\(index)].name")
            guard library.mib > 0 else { throw .notPositive(key: "libraries[\(index)].mib", value: library.mib) }
        }
        for (index, guest) in fleet.enumerated() {
            let path = "fleet[\(index)]"
            try Self.checkName(guest.name, path: "\(path).name")
            guard guest.count > 0 else { throw .notPositive(key: "\(path).count", value: Double(guest.count)) }
            guard guest.memoryMiB > 0 else { throw .notPositive(key: "\(path).memory_mib", value: guest.memoryMiB) }
            guard osNames.contains(guest.os) else { throw .unknownName(key: "\(path).os", name: guest.os) }
            for (position, name) in guest.libraries.enumerated() {
                guard libraryNames.contains(name) else {
                    throw .unknownName(key: "\(path).libraries[\(position)]", name: name)
                }
            }
            try Self.checkUnique(guest.libraries, path: "\(path).libraries", field: nil)
            for (key, value) in [
                ("zero_fraction", guest.zeroFraction), ("stale_fraction", guest.staleFraction),
                ("stale_repeat", guest.staleRepeat), ("self_sharing", guest.selfSharing),
                ("aslr.fraction", guest.aslr.fraction),
            ] where !(value >= 0 && value <= 1) {
                throw .notAFraction(key: "\(path).\(key)", value: value)
            }
            guard guest.zeroFraction + guest.staleFraction <= 1 else {
                throw .invalidValue(
                    key: "\(path).stale_fraction",
                    reason: "zero_fraction + stale_fraction is \(guest.zeroFraction + guest.staleFraction), more than 1"
                )
            }
            guard guest.selfSharingCopies >= 2 else {
                throw .invalidValue(
                    key: "\(path).self_sharing_copies", reason: "must be at least 2 (got \(guest.selfSharingCopies))")
            }
            guard guest.aslr.layouts >= 0 else {
                throw .negative(key: "\(path).aslr.layouts", value: Double(guest.aslr.layouts))
            }
            if let churn = guest.churn {
                guard churn.pagesPerSecond >= 0, churn.pagesPerSecond.isFinite else {
                    throw .negative(key: "\(path).churn.pages_per_second", value: churn.pagesPerSecond)
                }
                for (key, value) in [
                    ("hot_fraction", churn.hotFraction), ("hot_writes", churn.hotWrites),
                    ("write_mix.fresh", churn.writeMix.fresh), ("write_mix.zero", churn.writeMix.zero),
                    ("write_mix.same", churn.writeMix.same),
                ] where !(value >= 0 && value <= 1) {
                    throw .notAFraction(key: "\(path).churn.\(key)", value: value)
                }
                let sum = churn.writeMix.fresh + churn.writeMix.zero + churn.writeMix.same
                guard abs(sum - 1) < 1e-9 else {
                    throw .invalidValue(
                        key: "\(path).churn.write_mix", reason: "fresh + zero + same is \(sum), must be 1")
                }
            }
        }
    }

    private static func name(_ object: SpecObject) throws(FleetSpecError) -> String {
        let name = try object.requiredString("name")
        try checkName(name, path: object.keyPath("name"))
        return name
    }

    /// Names become parts of file names: letters, digits, `.`, `_`, `+` and `-`, not starting with `.`.
    private static func checkName(_ name: String, path: String) throws(FleetSpecError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")
        guard !name.isEmpty, !name.hasPrefix("."), name.count <= 100, name.allSatisfy({ allowed.contains($0) }) else {
            throw .invalidValue(
                key: path,
                reason: "'\(name)' is not a usable name (letters, digits, '.', '_', '+', '-'; not starting with '.')")
        }
    }

    private static func checkUnique(_ names: [String], path: String, field: String? = "name") throws(FleetSpecError) {
        var seen: Set<String> = []
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            throw .duplicateName(key: field.map { "\(path)[\(index)].\($0)" } ?? "\(path)[\(index)]", name: name)
        }
    }

    private static func operatingSystem(_ item: SpecJSON, path: String) throws(FleetSpecError) -> OperatingSystem {
        let object = try SpecObject(
            item, path: path,
            keys: [
                "name", "family", "kernel_text_mib", "kernel_data_mib", "page_cache_mib", "kernel_data_private",
                "page_cache_private", "family_shared", "global_shared",
            ])
        var os = OperatingSystem(
            name: try name(object), family: try object.requiredString("family"),
            kernelTextMiB: try object.size("kernel_text_mib"), kernelDataMiB: try object.size("kernel_data_mib"),
            pageCacheMiB: try object.size("page_cache_mib"))
        os.kernelDataPrivate = try object.fraction("kernel_data_private", default: os.kernelDataPrivate)
        os.pageCachePrivate = try object.fraction("page_cache_private", default: os.pageCachePrivate)
        os.familyShared = try object.fraction("family_shared", default: os.familyShared)
        os.globalShared = try object.fraction("global_shared", default: os.globalShared)
        return os
    }

    private static func guestType(_ item: SpecJSON, path: String) throws(FleetSpecError) -> GuestType {
        let object = try SpecObject(
            item, path: path,
            keys: [
                "name", "count", "memory_mib", "os", "libraries", "zero_fraction", "stale_fraction", "stale_repeat",
                "self_sharing", "self_sharing_copies", "interleave", "aslr", "churn",
            ])
        let name = try name(object)
        guard let count = try object.integer("count") else { throw .missingKey(key: object.keyPath("count")) }
        guard count > 0 else { throw .notPositive(key: object.keyPath("count"), value: Double(count)) }
        var guest = GuestType(
            name: name, count: count, memoryMiB: try object.positive("memory_mib"), os: try object.requiredString("os"))
        guest.libraries = try object.strings("libraries") ?? []
        guest.zeroFraction = try object.fraction("zero_fraction", default: guest.zeroFraction)
        guest.staleFraction = try object.fraction("stale_fraction", default: guest.staleFraction)
        guest.staleRepeat = try object.fraction("stale_repeat", default: guest.staleRepeat)
        guest.selfSharing = try object.fraction("self_sharing", default: guest.selfSharing)
        guest.selfSharingCopies = try object.integer("self_sharing_copies") ?? guest.selfSharingCopies
        guest.interleave = try object.bool("interleave") ?? guest.interleave
        if let aslr = try object.object("aslr", keys: ["fraction", "layouts", "style"]) {
            guest.aslr.fraction = try aslr.fraction("fraction", default: 0)
            guest.aslr.layouts = try aslr.integer("layouts") ?? 0
            if let style = try aslr.string("style") {
                guard let parsed = PageContent.VariantStyle(rawValue: style) else {
                    throw .invalidValue(
                        key: aslr.keyPath("style"), reason: "must be 'pointers' or 'offset' (got '\(style)')")
                }
                guest.aslr.style = parsed
            }
        }
        if let churnObject = try object.object(
            "churn", keys: ["pages_per_second", "hot_fraction", "hot_writes", "write_mix"])
        {
            var churn = Churn(pagesPerSecond: try churnObject.size("pages_per_second"))
            churn.hotFraction = try churnObject.fraction("hot_fraction", default: churn.hotFraction)
            churn.hotWrites = try churnObject.fraction("hot_writes", default: churn.hotWrites)
            if let mix = try churnObject.object("write_mix", keys: ["fresh", "zero", "same"]) {
                churn.writeMix.fresh = try mix.fraction("fresh", default: 0)
                churn.writeMix.zero = try mix.fraction("zero", default: 0)
                churn.writeMix.same = try mix.fraction("same", default: 0)
            }
            guest.churn = churn
        }
        return guest
    }
}
