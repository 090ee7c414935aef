// The fleet the Simulation and Tuning benchmarks run on, built by hand as a ContentMap (as
// SimulatorScaleTests does): 8 guests × 512 Ki pages = 4 Mi pages (16 GiB of guests); per guest
// 40 % of pages from a pool shared by every guest, 10 % zero, 5 % repeated inside the guest
// (64 contents), the rest unique. No image files: only the simulator's work and memory.
import KSMScope

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public enum BenchmarkFleet {
    public static let guests = 8
    public static let pagesPerGuest = 512 * 1024

    /// The fleet's ContentMap (content ids: 0 the zero page, 1 … base the shared pool).
    public static func contents() -> ContentMap {
        var contentOfPage = [UInt32](repeating: 0, count: guests * pagesPerGuest)
        let base = pagesPerGuest * 4 / 10
        let zero = pagesPerGuest / 10
        let repeated = pagesPerGuest / 20
        var next = UInt32(1 + base)
        for guest in 0..<guests {
            let start = guest * pagesPerGuest
            for page in 0..<pagesPerGuest {
                let value: UInt32
                if page < base {
                    value = UInt32(1 + page)
                } else if page < base + zero {
                    value = 0
                } else if page < base + zero + repeated {
                    value = next + UInt32(page % 64)
                } else {
                    value = next + 64 + UInt32(page)
                }
                contentOfPage[start + page] = value
            }
            next += 64 + UInt32(pagesPerGuest)
        }
        let count = Int(next)
        let checksum = (0..<count).map { UInt32(truncatingIfNeeded: UInt64($0) &* 0x9E37_79B9_7F4A_7C15 >> 32) }
        var isZero = [Bool](repeating: false, count: count)
        isZero[0] = true
        return ContentMap(
            layout: ImageLayout(pageCounts: Array(repeating: pagesPerGuest, count: guests)),
            contentOfPage: contentOfPage, checksum: checksum, isZero: isZero)
    }

    /// Resident memory of this process, bytes (/proc/self/statm).
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}
