// Test support shared with Fuzz/ (Fuzz/Sources/FuzzSupport/DumpWriters is a symlink to this
// folder, whose files write the fuzzers' seed corpus): no tests and no `import Testing` here.

/// One guest's memory: pages at guest page frames, in ascending frame order, with holes.
struct GuestFixture {
    let pageSize: Int
    /// The guest page frame numbers, ascending.
    let frames: [UInt64]
    /// The bytes of each frame's page.
    let pages: [[UInt8]]

    /// The pages back to back: what a raw image of the same pages holds.
    var raw: [UInt8] { pages.flatMap { $0 } }

    /// The runs of consecutive frames: (first frame, index of its page, page count).
    var runs: [(frame: UInt64, index: Int, count: Int)] {
        var runs: [(frame: UInt64, index: Int, count: Int)] = []
        for (index, frame) in frames.enumerated() {
            if let last = runs.last, last.frame + UInt64(last.count) == frame {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((frame, index, 1))
            }
        }
        return runs
    }

    /// The same guest without some frames.
    func removing(_ excluded: Set<UInt64>) -> GuestFixture {
        let kept = frames.indices.filter { !excluded.contains(frames[$0]) }
        return GuestFixture(pageSize: pageSize, frames: kept.map { frames[$0] }, pages: kept.map { pages[$0] })
    }

    /// A guest of three runs of frames with zero pages, duplicates, compressible and
    /// incompressible pages.
    static func mixed(pageSize: Int = 4096, seed: UInt64 = 1) -> GuestFixture {
        let frames = Array(UInt64(0)..<12) + Array(UInt64(16)..<30) + Array(UInt64(64)..<80)
        var pages: [[UInt8]] = []
        for (index, _) in frames.enumerated() {
            switch index % 7 {
            case 0, 4: pages.append([UInt8](repeating: 0, count: pageSize))
            case 1: pages.append(compressible(key: seed, pageSize: pageSize))  // many copies
            case 2: pages.append(compressible(key: seed &+ UInt64(index), pageSize: pageSize))
            case 3: pages.append(incompressible(key: seed &+ 1000, pageSize: pageSize))  // many copies
            default: pages.append(incompressible(key: seed &+ 2000 &+ UInt64(index), pageSize: pageSize))
            }
        }
        return GuestFixture(pageSize: pageSize, frames: frames, pages: pages)
    }

    /// A page that compresses well: a short pattern with a key mixed in.
    static func compressible(key: UInt64, pageSize: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: pageSize)
        for index in 0..<pageSize {
            bytes[index] = UInt8(truncatingIfNeeded: (index % 64) &* 7 &+ Int(truncatingIfNeeded: key))
        }
        for shift in 0..<8 { bytes[shift * 61] = UInt8(truncatingIfNeeded: key >> (8 * UInt64(shift))) }
        return bytes
    }

    /// A page no compressor can shrink.
    static func incompressible(key: UInt64, pageSize: Int) -> [UInt8] {
        var state = key &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<pageSize).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}
