/// The page writes of every churning guest over `steps` snapshots taken `interval` seconds
/// apart, decided before any byte is written so images, manifest and expected counts agree.
///
/// Each step a guest makes `pages_per_second × interval` writes (rounded so the total over
/// time stays exact). A write goes to the hot set with probability `hot_writes`, else to the
/// cold set (the other writable pages; code is never written); inside the set the page is
/// uniform. It stores fresh unique data, zeroes the page, or stores the bytes the page holds,
/// as `write_mix` says. All choices come from SplitMix64 streams named by seed, guest and step.
public struct ChurnTimeline: Sendable {
    /// Snapshots after the base one (the set has `steps + 1` images a guest).
    public let steps: Int
    /// Seconds between snapshots.
    public let interval: Double
    /// Per guest (fleet order), per step 1 … ``steps`` (index `step - 1`).
    public let guests: [[Step]]

    /// What one step did to one guest.
    public struct Step: Sendable, Equatable {
        /// Writes made (a page written twice counts twice).
        public var writes = 0
        /// Writes that stored fresh data / zeroes / the same bytes.
        public var freshWrites = 0, zeroWrites = 0, sameWrites = 0
        /// Pages written at least once, ascending.
        public var writtenPages: [Int] = []
        /// Pages whose bytes differ from the previous snapshot, ascending, with their new
        /// content.
        public var changes: [(page: Int, content: PageContent)] = []

        /// Pages whose bytes changed, ascending.
        public var changedPages: [Int] { changes.map(\.page) }

        public static func == (lhs: Step, rhs: Step) -> Bool {
            lhs.writes == rhs.writes && lhs.writtenPages == rhs.writtenPages
                && lhs.changes.map(\.page) == rhs.changes.map(\.page)
                && lhs.changes.map(\.content) == rhs.changes.map(\.content)
        }
    }

    /// Plans `steps` steps of `interval` seconds for every guest of `plan`.
    public init(plan: FleetPlan, steps: Int, interval: Double) {
        precondition(steps >= 0 && interval > 0)
        self.steps = steps
        self.interval = interval
        guests = plan.guests.map { guest in
            Self.plan(
                guest: guest, pool: plan.writtenPool(of: guest), seed: plan.seed, steps: steps, interval: interval)
        }
    }

    /// No snapshots: the base images only.
    public static func none(plan: FleetPlan) -> ChurnTimeline { ChurnTimeline(plan: plan, steps: 0, interval: 1) }

    /// The pages of `guest` that differ from the base image at snapshot `step`, with their
    /// content then.
    public func overrides(guest: Int, step: Int) -> [Int: PageContent] {
        var state: [Int: PageContent] = [:]
        for index in 0..<step { for change in guests[guest][index].changes { state[change.page] = change.content } }
        return state
    }

    private static func plan(guest: GuestLayout, pool: Int, seed: UInt64, steps: Int, interval: Double) -> [Step] {
        guard let churn = guest.churn, steps > 0 else { return Array(repeating: Step(), count: steps) }
        // Writable logical pages, numbered 0 ..< writable through the writable segments.
        var ranges: [(start: Int, count: Int, before: Int)] = []
        var writable = 0
        for (index, segment) in guest.segments.enumerated() where segment.category.isWritable {
            ranges.append((guest.start(ofSegment: index), segment.pages, writable))
            writable += segment.pages
        }
        guard writable > 0 else { return Array(repeating: Step(), count: steps) }
        let order = PagePermutation(count: writable, key: SplitMix64.derive(seed, UInt64(guest.index), 0xC0_1D))
        let hot = min(writable, Int((Double(writable) * churn.hotFraction).rounded()))
        let cold = writable - hot
        func page(_ number: Int) -> Int {
            let position = order.forward(number)
            var low = 0
            var high = ranges.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if ranges[middle].before <= position { low = middle } else { high = middle - 1 }
            }
            return guest.physical(ranges[low].start + position - ranges[low].before)
        }
        let perStep = churn.pagesPerSecond * interval
        var state: [Int: PageContent] = [:]
        var fresh = 0
        var result: [Step] = []
        for step in 1...steps {
            var random = SplitMix64(mixing: seed, UInt64(guest.index), UInt64(step), 0x5_7E9)
            let writes = Int((perStep * Double(step)).rounded()) - Int((perStep * Double(step - 1)).rounded())
            var before: [Int: PageContent] = [:]
            var after: [Int: PageContent] = [:]
            var record = Step()
            record.writes = writes
            for _ in 0..<writes {
                let toHot = hot > 0 && (cold == 0 || random.unit() < churn.hotWrites)
                let target = page(toHot ? random.below(hot) : hot + random.below(cold))
                let current = after[target] ?? state[target] ?? guest.content(physical: target)
                if before[target] == nil { before[target] = current }
                let choice = random.unit()
                let content: PageContent
                if choice < churn.writeMix.fresh {
                    content = .plain(ContentKey(pool: pool, index: fresh))
                    fresh += 1
                    record.freshWrites += 1
                } else if choice < churn.writeMix.fresh + churn.writeMix.zero {
                    content = .zero
                    record.zeroWrites += 1
                } else {
                    content = current
                    record.sameWrites += 1
                }
                after[target] = content
            }
            record.writtenPages = after.keys.sorted()
            for page in record.writtenPages where after[page]! != before[page]! {
                record.changes.append((page, after[page]!))
                state[page] = after[page]!
            }
            result.append(record)
        }
        return result
    }
}

extension FleetPlan {
    /// The pool that churn's fresh writes of `guest` draw their keys from.
    func writtenPool(of guest: GuestLayout) -> Int {
        // Pools after the planned ones, one a guest: keys stay distinct from every base content.
        poolNames.count + 1 + guest.index
    }

    /// The name of a pool number, including churn's pools.
    public func sourceName(ofPool pool: Int) -> String {
        pool <= poolNames.count ? poolNames[pool - 1] : "guest/\(guests[pool - poolNames.count - 1].name)/written"
    }
}
