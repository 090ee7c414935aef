#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A direct-mapped table of recently seen pages that lets a worker prove a page identical to an
/// earlier one while both are still hot in the CPU cache.
///
/// Each slot packs the high 32 bits of a hash with the global index of the first page seen with
/// it. A match is only a hint: the caller compares the bytes. Proven pages need no second read
/// in the grouping phase, which is what keeps byte verification nearly free.
struct RecentContentCache: ~Copyable {
    private let slots: UnsafeMutableBufferPointer<UInt64>
    private let mask: Int

    private static let empty = UInt64.max

    /// Creates a table with room for `capacity` pages, rounded up to a power of two.
    ///
    /// Every probe lands on a random slot, so the table is mapped with transparent huge pages
    /// where the kernel allows: one TLB entry covers 2 MiB of slots instead of 4 KiB.
    init(capacity: Int) {
        var size = 1024
        while size < capacity { size <<= 1 }
        let bytes = size * MemoryLayout<UInt64>.stride
        let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let base, base != MAP_FAILED {
            _ = madvise(base, bytes, MADV_HUGEPAGE)
            slots = UnsafeMutableBufferPointer(start: base.assumingMemoryBound(to: UInt64.self), count: size)
        } else {
            slots = .allocate(capacity: size)
        }
        slots.initialize(repeating: Self.empty)
        mask = size - 1
        mapped = base != nil && base != MAP_FAILED
    }

    /// Whether the slots are an mmap'd region (else a heap allocation).
    private let mapped: Bool

    deinit {
        if mapped {
            munmap(slots.baseAddress, slots.count * MemoryLayout<UInt64>.stride)
        } else {
            slots.deallocate()
        }
    }

    /// Returns an earlier page proven identical to `page`, or ``PageRecord/unproven`` after
    /// remembering `page` as the representative of its hash.
    ///
    /// - Parameter isIdentical: compares `page` with the earlier page whose index it receives.
    @inline(__always)
    mutating func prove(
        hash: UInt64, page: UInt32, isIdentical: (UInt32) throws -> Bool
    ) rethrows -> UInt32 {
        let slot = Int(truncatingIfNeeded: hash) & mask
        let entry = slots[slot]
        let tag = hash >> 32
        if entry != Self.empty, entry >> 32 == tag {
            let earlier = UInt32(truncatingIfNeeded: entry)
            if try isIdentical(earlier) { return earlier }
        }
        slots[slot] = tag << 32 | UInt64(page)
        return PageRecord.unproven
    }
}
