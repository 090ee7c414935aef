import Testing

@testable import KSMScope

/// The sorts of the scanner and the fingerprint engine against the standard library's.
@Suite("Hash bucket sorts order records as the standard library does")
struct HashBucketSortTests {
    /// `count` records in `contents` contents (so runs of equal fingerprints), spread over
    /// `images` images; with `skewed`, all hashes share their top 40 bits (every record in one
    /// bucket: the fallback for large buckets).
    static func records(count: Int, contents: Int, images: Int, skewed: Bool, seed: UInt64) -> [SpillRecord] {
        var generator = SplitMix(state: seed)
        let fingerprints = (0..<max(1, contents)).map { _ in
            let high = skewed ? UInt64(0xABCD_EF12_34) << 24 | generator.next() >> 40 : generator.next()
            return PageFingerprint(xxh64: high, xxh3: generator.next() % 4)
        }
        return (0..<count).map { _ in
            SpillRecord(
                fingerprint: fingerprints[Int(generator.next() % UInt64(fingerprints.count))],
                image: UInt32(generator.next() % UInt64(images)), count: UInt32(1 + generator.next() % 3))
        }
    }

    /// The order both sorts must give: content, then image (records of one content and image
    /// are interchangeable for the engines, which fold them).
    static func key(_ record: SpillRecord) -> [UInt64] {
        [record.fingerprint.xxh64, record.fingerprint.xxh3, UInt64(record.image)]
    }

    @Test(
        "copying sort from several parts",
        arguments: [(0, 1, false), (1, 1, false), (2, 1, false), (100, 30, false), (5000, 2000, false), (70000, 50000, false),
                    (3000, 300, true)])
    func copying(count: Int, contents: Int, skewed: Bool) {
        let records = Self.records(count: count, contents: contents, images: 5, skewed: skewed, seed: UInt64(count))
        let cut = [0, count / 3, count / 3, count]  // an empty part too
        var output = [SpillRecord](repeating: SpillRecord(fingerprint: .init(xxh64: 0, xxh3: 0), image: 0, count: 0), count: count)
        records.withUnsafeBufferPointer { all in
            let parts = (0..<3).map { UnsafeBufferPointer(rebasing: all[cut[$0]..<cut[$0 + 1]]) }
            output.withUnsafeMutableBufferPointer { HashBucketSort.sort(copying: parts, into: $0) }
        }
        let expected = records.sorted { Self.key($0).lexicographicallyPrecedes(Self.key($1)) }
        #expect(output.map(Self.key) == expected.map(Self.key))
        // The same records, not only the same keys.
        #expect(output.map(\.count).reduce(0, +) == records.map(\.count).reduce(0, +))
    }

    @Test("in-place sort and fold, and the buffers' sorted fold, agree with a sort and a merge", arguments: [false, true])
    func sortAndFold(skewed: Bool) {
        let records = Self.records(count: 20000, contents: 3000, images: 4, skewed: skewed, seed: 9)
        var expected: [SpillRecord] = []
        for record in records.sorted(by: { Self.key($0).lexicographicallyPrecedes(Self.key($1)) }) {
            if let last = expected.last, Self.key(last) == Self.key(record) {
                expected[expected.count - 1].count += record.count
            } else {
                expected.append(record)
            }
        }
        var inPlace = records
        let kept = inPlace.withUnsafeMutableBufferPointer { $0.sortAndFold(workers: 2) }
        #expect(inPlace[0..<kept].map(Self.key) == expected.map(Self.key))
        #expect(inPlace[0..<kept].map(\.count) == expected.map(\.count))

        let buffers = PartitionBuffers(count: 2, capacity: 10)
        for record in records { buffers.append(record, to: 1) }
        let folded = buffers.sortedAndFolded(1)
        #expect(folded.map(Self.key) == expected.map(Self.key))
        #expect(folded.map(\.count) == expected.map(\.count))
        #expect(buffers.records(0).isEmpty)
        #expect(buffers.records(1).count == records.count)
    }
}
