extension PlanTally {
    /// Folds the guests of a content map, both passes: every content's copies listed in scan
    /// order (an index of 8 bytes a guest page and 4 a content, freed on return), contents
    /// shared out among `workers` in runs of about equal copies.
    ///
    /// - Parameter guestImages: the map's image that is each guest's memory, in guest order.
    static func fold(contents: ContentMap, guestImages: [Int], setup: Setup, workers: Int) throws -> PlanTally {
        // Each content's copies, guests in order and pages ascending: a counting sort.
        var start = [UInt32](repeating: 0, count: contents.contentCount + 1)
        for image in guestImages {
            for page in contents.layout.pages(of: image) { start[Int(contents.contentOfPage[page]) + 1] += 1 }
        }
        for content in 0..<contents.contentCount { start[content + 1] += start[content] }
        var filled = start
        var copies = [Copy](repeating: Copy(guest: 0, page: 0), count: Int(start[contents.contentCount]))
        var zero = GuestZeroPages(setup: setup)
        for (guest, image) in guestImages.enumerated() {
            let pages = contents.layout.pages(of: image)
            var run: Range<Int>?
            for page in pages {
                let content = Int(contents.contentOfPage[page])
                let local = page - pages.lowerBound
                if contents.isZero[content] {
                    // Zero pages are summed, not listed.
                    if let open = run, open.upperBound == local {
                        run = open.lowerBound..<(local + 1)
                    } else {
                        if let open = run { zero.add(open, guest: guest) }
                        run = local..<(local + 1)
                    }
                    continue
                }
                copies[Int(filled[content])] = Copy(guest: UInt32(guest), page: UInt32(local))
                filled[content] += 1
            }
            if let run { zero.add(run, guest: guest) }
        }
        // Runs of contents of about equal copies, a few per worker.
        let total = copies.count
        let target = max(1, total / max(1, workers * 8))
        var cuts = [0]
        var content = 0
        while content < contents.contentCount {
            let from = start[content]
            while content < contents.contentCount, Int(start[content + 1] - from) < target { content += 1 }
            content = min(contents.contentCount, content + 1)
            cuts.append(content)
        }
        let bounds = cuts
        let isZero = contents.isZero
        let index = (start: start, copies: copies)
        func fold(_ body: @escaping @Sendable (inout PlanTally, UnsafeBufferPointer<Copy>) -> Void) throws -> PlanTally {
            try folding(units: bounds.count - 1, workers: workers, setup: setup) { tally, unit in
                index.copies.withUnsafeBufferPointer { all in
                    for content in bounds[unit]..<bounds[unit + 1] where !isZero[content] {
                        let range = Int(index.start[content])..<Int(index.start[content + 1])
                        if !range.isEmpty { body(&tally, UnsafeBufferPointer(rebasing: all[range])) }
                    }
                }
            }
        }
        var tally = try fold { $0.add($1) }
        tally.addZero(zero)
        guard setup.regions else { return tally }
        let qualifying = tally.qualifyingRegions()
        var tradeoff = try fold { $0.addTradeoff($1, qualifying: qualifying) }
        tradeoff.addTradeoffZero(zero, qualifying: qualifying)
        tally.merge(tradeoff)
        return tally
    }
}
