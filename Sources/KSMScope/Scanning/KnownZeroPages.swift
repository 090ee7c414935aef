/// The pages of a scan known to be zero without reading them (holes of sparse files), in the
/// scan's global page numbering.
struct KnownZeroPages: Sendable {
    /// Global page runs, ascending and disjoint.
    let runs: [Range<Int>]
    /// Pages in ``runs`` before each run (and all of them at the end).
    private let before: [Int]

    /// Collects the runs of `images` laid out as `layout`.
    init(images: [any PageSource], layout: ImageLayout) {
        var runs: [Range<Int>] = []
        for (index, image) in images.enumerated() {
            let start = layout.starts[index]
            runs += image.zeroPageRuns.map { (start + $0.lowerBound)..<(start + $0.upperBound) }
        }
        var before = [0]
        for run in runs { before.append(before[before.count - 1] + run.count) }
        self.runs = runs
        self.before = before
    }

    /// All pages in runs.
    var total: Int { before[before.count - 1] }

    /// The index of the first run that ends after `page`.
    func firstRun(endingAfter page: Int) -> Int {
        var low = 0
        var high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].upperBound <= page { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Pages in runs below global page `page`.
    func pages(before page: Int) -> Int {
        let index = firstRun(endingAfter: page)
        guard index < runs.count else { return total }
        return before[index] + max(0, page - runs[index].lowerBound)
    }
}
