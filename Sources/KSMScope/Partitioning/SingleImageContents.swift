/// Contents held by one image only, counted by their copies and folded into a tally at the
/// end with ``SteadyStateTally/add(_:isZero:times:)``'s `times`, instead of one call each.
///
/// Most contents of a guest set are in one image (its unique pages, and pages repeated inside
/// it); folding them in bulk takes the tally out of the fingerprint engine's inner loop.
struct SingleImageContents {
    /// Copies up to this many are counted here; contents with more are added at once.
    static let maximumCopies = 8

    /// `counts[image * maximumCopies + copies - 1]`: contents of `image` with `copies` copies.
    private var counts: [Int]

    /// An empty count for `imageCount` images.
    init(imageCount: Int) {
        counts = Array(repeating: 0, count: imageCount * Self.maximumCopies)
    }

    /// Counts a content with `copies` copies in `image`, or adds it to `tally` at once when it
    /// has more than ``maximumCopies``.
    @inline(__always)
    mutating func add(image: Int, copies: Int, to tally: inout SteadyStateTally) {
        guard copies <= Self.maximumCopies else {
            tally.add([.init(image: image, count: copies)], isZero: false)
            return
        }
        counts[image * Self.maximumCopies + copies - 1] += 1
    }

    /// Adds what was counted to `tally` and empties the count.
    mutating func fold(into tally: inout SteadyStateTally) {
        for index in counts.indices where counts[index] > 0 {
            let share = ContentGroup.ImageShare(image: index / Self.maximumCopies, count: index % Self.maximumCopies + 1)
            tally.add([share], isZero: false, times: counts[index])
            counts[index] = 0
        }
    }
}
