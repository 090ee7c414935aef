/// What a pass over the inputs has finished with, handed out in large steps so that it can
/// leave the process's memory and the page cache behind the pass.
///
/// Workers finish chunks out of order; the frontier is the first chunk not finished yet.
/// Dropping a range from the mapping (`madvise(MADV_DONTNEED)`) makes the kernel flush the
/// other workers' TLBs, an interprocessor interrupt each time (a VM exit in a guest): done per
/// 1 MiB chunk, that cost 12 % of writing fingerprints of cached images. Released in steps of
/// ``step`` it is negligible, and the memory a pass holds stays bounded (one step and the
/// chunks in flight).
struct ReleaseFrontier {
    /// Bytes released at once.
    static let step = 32 << 20

    /// A byte range of an input that the pass is done with.
    struct Release {
        /// The input.
        var image: Int
        /// Bytes of its file.
        var bytes: Range<Int>
        /// Whether this is the input's last: every chunk of it is finished.
        var isLast: Bool
    }

    private let chunks: [FingerprintWalk.Chunk]
    private var finished: [Bool]
    private var next = 0
    private var pending: Release?

    /// A frontier over `chunks`, which hold each input's chunks together and in order.
    init(chunks: [FingerprintWalk.Chunk]) {
        self.chunks = chunks
        finished = Array(repeating: false, count: chunks.count)
    }

    /// Marks chunk `index` finished; returns what the frontier passed and is due for release.
    mutating func finish(_ index: Int) -> [Release] {
        finished[index] = true
        var due: [Release] = []
        while next < chunks.count, finished[next] {
            let chunk = chunks[next]
            next += 1
            let isLast = next == chunks.count || chunks[next].image != chunk.image
            if var range = pending, range.image == chunk.image, range.bytes.upperBound == chunk.bytes.lowerBound {
                range.bytes = range.bytes.lowerBound..<chunk.bytes.upperBound
                pending = range
            } else {
                if let range = pending { due.append(range) }
                pending = Release(image: chunk.image, bytes: chunk.bytes, isLast: false)
            }
            if isLast || pending!.bytes.count >= Self.step {
                pending!.isLast = isLast
                due.append(pending!)
                pending = nil
            }
        }
        return due
    }
}
