@testable import KSMScope

extension PlanTally {
    /// The tally of a content map whose images `guestImages` are the guests (default: every
    /// image), both passes, as the in-memory plan folds it.
    static func of(
        _ map: ContentMap, guestImages: [Int]? = nil, tunables: KSMTunables = .defaults, policy: MergePolicy = .all,
        domains: [Int]? = nil, pageSize: Int = 4096, regionBytes: Int = HugePageReport.defaultRegionBytes
    ) throws -> PlanTally {
        let images = guestImages ?? Array(0..<map.layout.imageCount)
        let setup = Setup(
            tunables: tunables, policy: policy, guestPages: images.map { map.layout.pages(of: $0).count },
            domainOfGuest: domains, pageSize: pageSize, regionBytes: regionBytes, pairs: true, profiles: true, regions: true)
        return try fold(contents: map, guestImages: images, setup: setup, workers: 2)
    }

    /// The exact sharing curve of `policy`.
    func sharingCurve(_ policy: MergePolicy, pageSize: Int = 4096) -> SharingCurve {
        SampledCurve(tally: self, policy: policy, every: 1, pageSize: pageSize).estimate
    }
}

extension ContentMap {
    /// Pages `guests` (images) save together, folded from scratch: each content's copies among
    /// them counted and saved by the KSM rule; written without the plan's code.
    func savedPages(guests: [Int], tunables: KSMTunables = .defaults) -> Int {
        var copies: [UInt32: Int] = [:]
        for guest in guests {
            for page in layout.pages(of: guest) { copies[contentOfPage[page], default: 0] += 1 }
        }
        return copies.reduce(0) { $0 + tunables.savedPages(copies: $1.value, isZero: isZero[Int($1.key)]) }
    }
}
