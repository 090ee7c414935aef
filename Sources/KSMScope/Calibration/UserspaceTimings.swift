/// What the page operations ksmd does cost in userspace on a host, nanoseconds per 4 KiB page:
/// the basis of an estimate where the real ksmd cannot be measured (no root, no KSM).
public struct UserspaceTimings: Sendable, Equatable, Codable {
    /// XXH64 of a page (the kernel's `calc_checksum()`), pages streamed from a buffer larger
    /// than the caches.
    public var xxh64PageNanoseconds: Double
    /// `memcmp()` of two equal pages (`pages_identical()` in a merge).
    public var memcmpEqualPageNanoseconds: Double
    /// `memcmp()` of two pages differing in their first bytes (a tree level, pages streamed).
    public var memcmpDifferingPageNanoseconds: Double

    /// Creates timings.
    public init(
        xxh64PageNanoseconds: Double, memcmpEqualPageNanoseconds: Double, memcmpDifferingPageNanoseconds: Double
    ) {
        self.xxh64PageNanoseconds = xxh64PageNanoseconds
        self.memcmpEqualPageNanoseconds = memcmpEqualPageNanoseconds
        self.memcmpDifferingPageNanoseconds = memcmpDifferingPageNanoseconds
    }

    enum CodingKeys: String, CodingKey {
        case xxh64PageNanoseconds = "xxh64_page_ns"
        case memcmpEqualPageNanoseconds = "memcmp_equal_page_ns"
        case memcmpDifferingPageNanoseconds = "memcmp_differing_page_ns"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch

extension UserspaceTimings {
    /// Times the three operations on this machine over `megabytes` of generated pages (larger
    /// than most caches, so pages come from memory as ksmd's do); the median of `rounds`.
    public static func measure(megabytes: Int = 64, rounds: Int = 3) -> UserspaceTimings {
        let pageSize = 4096
        let pages = megabytes * 256
        let first = UnsafeMutableRawBufferPointer.allocate(byteCount: pages * pageSize, alignment: pageSize)
        let second = UnsafeMutableRawBufferPointer.allocate(byteCount: pages * pageSize, alignment: pageSize)
        defer {
            first.deallocate()
            second.deallocate()
        }
        for page in 0..<pages {
            CalibrationWorkload.fill(
                UnsafeMutableRawBufferPointer(rebasing: first[page * pageSize..<(page + 1) * pageSize]), key: UInt64(page + 1))
        }
        second.copyMemory(from: UnsafeRawBufferPointer(first))
        func time(_ body: () -> UInt64) -> Double {
            var samples: [Double] = []
            var sink: UInt64 = 0
            for _ in 0..<rounds {
                let start = DispatchTime.now().uptimeNanoseconds
                sink &+= body()
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(pages))
            }
            if sink == 42 { print("", terminator: "") }  // keep the work
            return samples.sorted()[samples.count / 2]
        }
        let base = UnsafeRawPointer(first.baseAddress!)
        let copy = UnsafeRawPointer(second.baseAddress!)
        let xxh64 = time {
            var sum: UInt64 = 0
            for page in 0..<pages {
                sum &+= PageHashFunction.xxh64(UnsafeRawBufferPointer(start: base + page * pageSize, count: pageSize))
            }
            return sum
        }
        let equal = time {
            var sum: UInt64 = 0
            for page in 0..<pages {
                sum &+= UInt64(bitPattern: Int64(memcmp(base + page * pageSize, copy + page * pageSize, pageSize)))
            }
            return sum
        }
        let differing = time {
            var sum: UInt64 = 0
            for page in 0..<(pages - 1) {
                sum &+= UInt64(bitPattern: Int64(memcmp(base + page * pageSize, copy + (page + 1) * pageSize, pageSize)))
            }
            return sum
        }
        return UserspaceTimings(
            xxh64PageNanoseconds: xxh64, memcmpEqualPageNanoseconds: equal, memcmpDifferingPageNanoseconds: differing)
    }

    /// The costs of `reference` (measured on the machine whose userspace timings are
    /// `referenceTimings`) scaled to a machine with these timings: the checksum by the XXH64
    /// ratio, merges and zero-page compares by the ratio of equal-page `memcmp()`, tree levels
    /// by the ratio of differing-page `memcmp()`, every other CPU cost by the geometric mean of
    /// the three ratios. The wake-up latency and CPU availability stay the reference's.
    public func scale(_ reference: KSMCostProfile, from referenceTimings: UserspaceTimings) -> KSMCostProfile {
        func ratio(_ here: Double, _ there: Double) -> Double { there > 0 && here > 0 ? here / there : 1 }
        let hash = ratio(xxh64PageNanoseconds, referenceTimings.xxh64PageNanoseconds)
        let equal = ratio(memcmpEqualPageNanoseconds, referenceTimings.memcmpEqualPageNanoseconds)
        let differing = ratio(memcmpDifferingPageNanoseconds, referenceTimings.memcmpDifferingPageNanoseconds)
        let overall = pow(hash * equal * differing, 1.0 / 3)
        var costs = reference
        for step in KSMCostProfile.Step.allCases {
            let factor: Double =
                switch step {
                case .checksum: hash
                case .merge, .zeroCompare: equal
                case .stableTreeLevel, .unstableTreeLevel: differing
                default: overall
                }
            costs[step] = (reference[step] * factor).rounded()
        }
        return costs
    }
}
