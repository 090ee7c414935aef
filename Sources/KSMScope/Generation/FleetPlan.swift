/// A fleet spec turned into exact page layouts: every guest's segments, every content pool and
/// the names of the files to write, for one seed and scale.
///
/// Planning reads no bytes and writes none; it is cheap for any fleet size. Everything after it
/// (``FleetImageWriter``, ``ChurnTimeline``, ``ExpectedCounts``) follows from the plan alone, so
/// the same spec, seed and scale give the same images on every machine.
public struct FleetPlan: Sendable {
    /// The spec planned.
    public let spec: FleetSpec
    /// The generation seed.
    public let seed: UInt64
    /// The factor every size (and churn rate) was multiplied by.
    public let scale: Double
    /// Bytes a page.
    public let pageSize: Int
    /// The content pools, numbered from 1: `poolNames[pool - 1]` names pool `pool`.
    public let poolNames: [String]
    /// The guests in fleet order (types in spec order, then `TYPE-1`, `TYPE-2`, …).
    public let guests: [GuestLayout]

    /// Plans `spec` for `seed`, with every size multiplied by `scale`.
    ///
    /// - Throws: ``FleetSpecError`` for a spec that does not validate, a scale that is not
    ///   positive, or a guest type whose OS, libraries and free memory do not fit its memory.
    public init(spec: FleetSpec, seed: UInt64, scale: Double = 1) throws(FleetSpecError) {
        try spec.validate()
        guard scale > 0, scale.isFinite else { throw .notPositive(key: "scale", value: scale) }
        // Sizes past 1 EiB a guest (4 EiB a fleet) would overflow page and byte counts.
        let limit = Double(1 << 40)
        for (index, os) in spec.operatingSystems.enumerated() {
            for (key, mib) in [
                ("kernel_text_mib", os.kernelTextMiB), ("kernel_data_mib", os.kernelDataMiB),
                ("page_cache_mib", os.pageCacheMiB),
            ] where mib * scale >= limit {
                throw .invalidValue(key: "os[\(index)].\(key)", reason: "\(mib) MiB × scale \(scale) is too large")
            }
        }
        for (index, library) in spec.libraries.enumerated() where library.mib * scale >= limit {
            throw .invalidValue(
                key: "libraries[\(index)].mib", reason: "\(library.mib) MiB × scale \(scale) is too large")
        }
        var fleetMiB = 0.0
        for (index, type) in spec.fleet.enumerated() {
            guard type.memoryMiB * scale < limit else {
                throw .invalidValue(
                    key: "fleet[\(index)].memory_mib", reason: "\(type.memoryMiB) MiB × scale \(scale) is too large")
            }
            fleetMiB += type.memoryMiB * scale * Double(type.count)
        }
        guard fleetMiB < 4 * limit else {
            throw .invalidValue(key: "fleet", reason: "more than 4 EiB of memory in all")
        }
        self.spec = spec
        self.seed = seed
        self.scale = scale
        pageSize = spec.pageSize.bytes
        var builder = Builder(spec: spec, seed: seed, scale: scale)
        var guests: [GuestLayout] = []
        for (typeIndex, type) in spec.fleet.enumerated() {
            let width = String(type.count).count
            for number in 1...type.count {
                let digits = String(number)
                let name = "\(type.name)-\(String(repeating: "0", count: width - digits.count))\(digits)"
                guests.append(
                    try builder.guest(
                        name: name, type: type, typeIndex: typeIndex, index: guests.count, number: number - 1))
            }
        }
        // Churn's fresh writes take one more pool a guest (``writtenPool(of:)``).
        guard builder.poolNames.count + guests.count < ContentKey.poolLimit else {
            let pools = builder.poolNames.count + guests.count
            throw .invalidValue(
                key: "fleet", reason: "needs \(pools) content pools, more than \(ContentKey.poolLimit - 1)")
        }
        self.guests = guests
        poolNames = builder.poolNames
    }

    /// Pages in all images of one snapshot.
    public var totalPages: Int { guests.reduce(0) { $0 + $1.pageCount } }

    /// The image file name of `guest` at snapshot `step`, or without a step for a plain set.
    public static func fileName(guest: String, step: Int?) -> String {
        step.map { "\(guest).t\($0).img" } ?? "\(guest).img"
    }

    /// The name of pool `pool`.
    public func poolName(_ pool: Int) -> String { poolNames[pool - 1] }

    /// Registers pools and builds guests.
    private struct Builder {
        let spec: FleetSpec
        let seed: UInt64
        let scale: Double
        var poolNames: [String] = []
        var poolIDs: [String: Int] = [:]

        init(spec: FleetSpec, seed: UInt64, scale: Double) {
            self.spec = spec
            self.seed = seed
            self.scale = scale
        }

        /// The pool named `name`, registered on first use.
        mutating func pool(_ name: String) -> Int {
            if let id = poolIDs[name] { return id }
            poolNames.append(name)
            poolIDs[name] = poolNames.count
            return poolNames.count
        }

        /// Whole pages in `mib` MiB after scaling.
        func pages(_ mib: Double) -> Int {
            Int((mib * scale * 1_048_576 / Double(spec.pageSize.bytes)).rounded())
        }

        /// `share` of `count`, rounded to whole pages.
        func part(_ count: Int, _ share: Double) -> Int { min(count, Int((Double(count) * share).rounded())) }

        /// Segments for one OS component: the guest's own part, then the parts common to all
        /// OSes, to the family and to the version, with the last `relocated` common pages
        /// turned into ASLR variants for `layout`.
        mutating func osComponent(
            _ component: PageCategory, pages: Int, privateShare: Double, os: FleetSpec.OperatingSystem,
            guest: String, relocated: Int, layout: String, style: PageContent.VariantStyle
        ) -> [GuestLayout.Segment] {
            let own = part(pages, privateShare)
            let common = pages - own
            let global = part(common, os.globalShared)
            let family = min(common - global, part(common, os.familyShared))
            let version = common - global - family
            var remaining = min(relocated, common)
            var segments: [GuestLayout.Segment] = []
            // The version part's tail is relocated first, then the family's, then the global's.
            var pieces: [(name: String, count: Int, relocated: Int)] = []
            for (name, count) in [
                ("os/\(os.name)/\(component.rawValue)", version), ("family/\(os.family)/\(component.rawValue)", family),
                ("global/\(component.rawValue)", global),
            ] {
                let moved = min(remaining, count)
                remaining -= moved
                pieces.append((name, count, moved))
            }
            for piece in pieces.reversed() where piece.count > 0 {
                segments += code(
                    pool: piece.name, count: piece.count, relocated: piece.relocated, layout: layout,
                    style: style, category: component)
            }
            if own > 0 {
                segments.append(segment(component, pool: "guest/\(guest)/\(component.rawValue)", indices: own))
            }
            return segments
        }

        /// Segments for `count` pages of code pool `name`, the last `relocated` as variants.
        mutating func code(
            pool name: String, count: Int, relocated: Int, layout: String, style: PageContent.VariantStyle,
            category: PageCategory
        ) -> [GuestLayout.Segment] {
            var segments = [segment(category, pool: name, indices: count - relocated)]
            if relocated > 0 {
                let base = pool(name)
                var variant = segment(category, pool: "\(name)@\(layout)", indices: relocated, lower: count - relocated)
                variant.basePool = base
                variant.style = style
                segments.append(variant)
            }
            return segments
        }

        mutating func segment(
            _ category: PageCategory, pool name: String?, indices: Int, lower: Int = 0, repeats: Int = 1
        ) -> GuestLayout.Segment {
            GuestLayout.Segment(
                category: category, pool: indices > 0 ? name.map { pool($0) } ?? 0 : 0, lower: lower, indices: indices,
                repeats: repeats,
                basePool: 0, style: .pointers)
        }

        /// `total` pages of which `duplicated` come in groups of `copies` copies (a last group
        /// may be smaller, never a single page), the rest unique.
        mutating func duplicated(
            _ unique: PageCategory, _ repeated: PageCategory, guest: String, total: Int, duplicated: Int, copies: Int
        ) -> [GuestLayout.Segment] {
            let groups = duplicated / copies
            let rest = duplicated % copies
            let duplicatedPages = groups * copies + (rest >= 2 ? rest : 0)
            var segments = [
                segment(unique, pool: "guest/\(guest)/\(unique.rawValue)", indices: total - duplicatedPages)
            ]
            let name = "guest/\(guest)/\(repeated.rawValue)"
            if groups > 0 { segments.append(segment(repeated, pool: name, indices: groups, repeats: copies)) }
            if rest >= 2 { segments.append(segment(repeated, pool: name, indices: 1, lower: groups, repeats: rest)) }
            return segments
        }

        mutating func guest(
            name: String, type: FleetSpec.GuestType, typeIndex: Int, index: Int, number: Int
        ) throws(FleetSpecError) -> GuestLayout {
            let path = "fleet[\(typeIndex)]"
            let os = spec.operatingSystems.first { $0.name == type.os }!
            let memory = pages(type.memoryMiB)
            guard memory > 0 else {
                throw .doesNotFit(
                    key: "\(path).memory_mib", reason: "\(type.memoryMiB) MiB × scale \(scale) is less than one page")
            }
            let layout = type.aslr.layouts == 0 ? "guest/\(name)" : "\(type.name)#\(number % type.aslr.layouts)"
            let text = pages(os.kernelTextMiB)
            var segments = osComponent(
                .kernelText, pages: text, privateShare: 0, os: os, guest: name,
                relocated: part(text, type.aslr.fraction), layout: layout, style: type.aslr.style)
            segments += osComponent(
                .kernelData, pages: pages(os.kernelDataMiB), privateShare: os.kernelDataPrivate, os: os, guest: name,
                relocated: 0, layout: layout, style: type.aslr.style)
            for libraryName in type.libraries {
                let library = spec.libraries.first { $0.name == libraryName }!
                let size = pages(library.mib)
                segments += code(
                    pool: "library/\(library.name)", count: size, relocated: part(size, type.aslr.fraction),
                    layout: layout, style: type.aslr.style, category: .libraries)
            }
            segments += osComponent(
                .pageCache, pages: pages(os.pageCacheMiB), privateShare: os.pageCachePrivate, os: os, guest: name,
                relocated: 0, layout: layout, style: type.aslr.style)
            let fixed = segments.reduce(0) { $0 + $1.pages }
            let zero = part(memory, type.zeroFraction)
            let stale = part(memory, type.staleFraction)
            let anonymous = memory - fixed - zero - stale
            guard anonymous >= 0 else {
                let pageBytes = spec.pageSize.bytes
                let mib = { (pages: Int) in FleetSpecError.format(Double(pages * pageBytes) / 1_048_576) }
                throw .doesNotFit(
                    key: "\(path).memory_mib",
                    reason: "\(mib(memory)) MiB (after scale) is less than OS and libraries (\(mib(fixed)) MiB) "
                        + "plus free memory (\(mib(zero + stale)) MiB) need")
            }
            segments += duplicated(
                .anonymous, .anonymousDuplicated, guest: name, total: anonymous,
                duplicated: part(anonymous, type.selfSharing), copies: type.selfSharingCopies)
            segments += duplicated(
                .stale, .staleDuplicated, guest: name, total: stale, duplicated: part(stale, type.staleRepeat),
                copies: type.selfSharingCopies)
            segments.append(segment(.zero, pool: nil, indices: zero))
            var churn = type.churn
            churn?.pagesPerSecond *= scale
            return GuestLayout(
                name: name, typeName: type.name, typeIndex: typeIndex, index: index, segments: segments, churn: churn,
                interleaveKey: type.interleave ? SplitMix64.derive(seed, UInt64(index), 0x1A7E) : nil)
        }
    }
}
