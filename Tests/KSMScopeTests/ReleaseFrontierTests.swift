import Testing

@testable import KSMScope

@Suite("What a pass has finished with is released in order and in steps")
struct ReleaseFrontierTests {
    /// Chunks of 1 MiB: image 0 with 70 chunks, image 1 (a dump: no byte ranges) with 3,
    /// image 2 with 5.
    static let chunks: [FingerprintWalk.Chunk] = {
        var chunks: [FingerprintWalk.Chunk] = []
        for index in 0..<70 {
            chunks.append(.init(image: 0, range: index..<(index + 1), bytes: (index << 20)..<((index + 1) << 20)))
        }
        for index in 0..<3 { chunks.append(.init(image: 1, range: index..<(index + 1))) }
        for index in 0..<5 {
            chunks.append(.init(image: 2, range: index..<(index + 1), bytes: (index << 20)..<((index + 1) << 20)))
        }
        return chunks
    }()

    @Test("finished out of order: every byte once, never ahead of an unfinished chunk, in 32 MiB steps", arguments: [1, 2, 3])
    func outOfOrder(seed: UInt64) {
        var generator = SplitMix(state: seed)
        // Workers finish in an order close to the one they take chunks in.
        var order = Array(Self.chunks.indices)
        for index in stride(from: 0, to: order.count - 1, by: 2) where generator.next() % 2 == 0 { order.swapAt(index, index + 1) }
        var frontier = ReleaseFrontier(chunks: Self.chunks)
        var finished = Set<Int>()
        var released: [Int: [Range<Int>]] = [:]
        var lasts: [Int] = []
        for index in order {
            finished.insert(index)
            for release in frontier.finish(index) {
                // Nothing past the first unfinished chunk of its image.
                let unfinished = Self.chunks.indices.first { !finished.contains($0) && Self.chunks[$0].image == release.image }
                if let unfinished { #expect(release.bytes.upperBound <= Self.chunks[unfinished].bytes.lowerBound || release.bytes.isEmpty) }
                #expect(release.bytes.count <= ReleaseFrontier.step + (1 << 20))
                released[release.image, default: []].append(release.bytes)
                if release.isLast {
                    #expect(unfinished == nil)
                    lasts.append(release.image)
                }
            }
        }
        #expect(lasts == [0, 1, 2])
        // Image 0: 70 MiB in steps of at least 32 MiB except the last, contiguous from 0.
        let image0 = released[0] ?? []
        #expect(image0.first?.lowerBound == 0)
        #expect(zip(image0, image0.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(image0.last?.upperBound == 70 << 20)
        #expect(image0.dropLast().allSatisfy { $0.count >= ReleaseFrontier.step })
        #expect(image0.count == 3)
        #expect(released[2]?.reduce(0) { $0 + $1.count } == 5 << 20)
    }
}
