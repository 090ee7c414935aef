#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a process's pages are, from `/proc/PID/pagemap` and `/proc/kpageflags`: resident,
/// swapped, never touched, already merged by KSM, mapped to the zero page.
///
/// `pagemap` holds one 64-bit entry per base page of the address space: bit 63 present, bit 62
/// swapped, bits 0-54 the page frame number (reported as 0 without `CAP_SYS_ADMIN`).
/// `kpageflags` (root only) holds one 64-bit flags word per page frame: bit 21 `KPF_KSM`, bit 24
/// `KPF_ZERO_PAGE`. Counts are in the kernel's base pages.
struct PageResidency: Equatable {
    var resident = 0
    var swapped = 0
    var untouched = 0
    /// Nil when frame numbers or their flags cannot be read.
    var ksm: Int?
    var zeroPage: Int?
    /// Why `ksm` and `zeroPage` are nil.
    var note: String?
    /// The never-touched base pages, numbered over the mappings one after another.
    var untouchedBits = PageBits(count: 0)

    static let presentBit: UInt64 = 1 << 63
    static let swappedBit: UInt64 = 1 << 62
    static let frameMask: UInt64 = (1 << 55) - 1
    static let ksmFlag: UInt64 = 1 << 21
    static let zeroPageFlag: UInt64 = 1 << 24

    /// Reads the residency of `mappings` of process `pid`, or returns nil with the reason when
    /// its pagemap cannot be read.
    static func read(pid: Int32, mappings: [ProcessMapping]) -> (PageResidency?, String?) {
        let basePage = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pagemap = open("/proc/\(pid)/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else {
            return (nil, "/proc/\(pid)/pagemap unreadable (\(String(cString: strerror(errno)))): no residency counts")
        }
        defer { close(pagemap) }
        let flags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC)
        let flagsError = flags < 0 ? String(cString: strerror(errno)) : nil
        defer { if flags >= 0 { close(flags) } }

        var result = PageResidency()
        result.untouchedBits = PageBits(count: mappings.reduce(0) { $0 + ($1.size + basePage - 1) / basePage })
        var base = 0
        var frames: [UInt64] = []
        var framesHidden = false
        let batch = 65536
        let entries = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: batch)
        defer { entries.deallocate() }
        for mapping in mappings {
            var page = mapping.start / basePage
            let end = (mapping.end + basePage - 1) / basePage
            while page < end {
                let count = min(batch, end - page)
                let bytes = UnsafeMutableRawBufferPointer(start: entries.baseAddress, count: count * 8)
                guard let got = try? ProcFiles.readFully(pagemap, into: bytes, at: page * 8), got == count * 8 else {
                    return (nil, "/proc/\(pid)/pagemap could not be read to the end (did the process exit?)")
                }
                for entry in entries[0..<count] {
                    if entry & presentBit != 0 {
                        result.resident += 1
                        let frame = entry & frameMask
                        if frame == 0 { framesHidden = true } else { frames.append(frame) }
                    } else if entry & swappedBit != 0 {
                        result.swapped += 1
                    } else {
                        result.untouched += 1
                        result.untouchedBits.insert(base)
                    }
                    base += 1
                }
                page += count
            }
        }
        if framesHidden {
            result.note = "already_merged_pages needs root: page frame numbers in /proc/\(pid)/pagemap are hidden without CAP_SYS_ADMIN"
        } else if let flagsError, !frames.isEmpty {
            result.note = "already_merged_pages needs root: /proc/kpageflags unreadable (\(flagsError))"
        } else if let counted = countFlags(frames: &frames, descriptor: flags) {
            result.ksm = counted.ksm
            result.zeroPage = counted.zeroPage
        } else {
            result.note = "/proc/kpageflags could not be read to the end"
        }
        return (result, nil)
    }

    /// Counts the frames flagged KSM and zero page, reading runs of consecutive frames at once.
    private static func countFlags(frames: inout [UInt64], descriptor: Int32) -> (ksm: Int, zeroPage: Int)? {
        guard !frames.isEmpty else { return (0, 0) }
        frames.sort()
        let capacity = 4096
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: capacity)
        defer { words.deallocate() }
        var ksm = 0
        var zeroPage = 0
        var index = 0
        while index < frames.count {
            let first = frames[index]
            var last = first
            var end = index + 1
            while end < frames.count, frames[end] - first < UInt64(capacity) {
                last = frames[end]
                end += 1
            }
            let span = Int(last - first) + 1
            let bytes = UnsafeMutableRawBufferPointer(start: words.baseAddress, count: span * 8)
            guard let got = try? ProcFiles.readFully(descriptor, into: bytes, at: Int(first) * 8), got == span * 8 else {
                return nil
            }
            for frame in frames[index..<end] {
                let word = words[Int(frame - first)]
                if word & ksmFlag != 0 { ksm += 1 }
                if word & zeroPageFlag != 0 { zeroPage += 1 }
            }
            index = end
        }
        return (ksm, zeroPage)
    }
}

/// A fixed-size set of small integers (page numbers), one bit each.
struct PageBits: Sendable, Equatable {
    private var words: [UInt64]
    /// How many numbers it can hold (0 ..< count).
    let count: Int

    /// An empty set for numbers below `count`.
    init(count: Int) {
        self.count = count
        words = Array(repeating: 0, count: (count + 63) / 64)
    }

    /// Whether `number` is in the set.
    subscript(_ number: Int) -> Bool { words[number >> 6] & (1 << UInt64(number & 63)) != 0 }

    /// Adds `number`.
    mutating func insert(_ number: Int) { words[number >> 6] |= 1 << UInt64(number & 63) }

    /// Whether the set is empty.
    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// How many numbers it holds.
    var cardinality: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
}
