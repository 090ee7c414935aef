import Foundation
import KSMScope
import Testing

/// The simulator at fleet scale: 16 GiB of guests (4 Mi pages) for 20 full scans. Slow in a
/// debug build, so it runs only when `KSMSCOPE_SIMULATOR_SCALE=1` (measure with a release build).
@Suite("KSMSimulator at scale", .enabled(if: ProcessInfo.processInfo.environment["KSMSCOPE_SIMULATOR_SCALE"] == "1"))
struct SimulatorScaleTests {
    /// 8 guests of 512 Ki pages: 40 % the same base pages in every guest, 10 % zero pages, 5 %
    /// pages repeated inside the guest, the rest unique.
    static func fleet(guests: Int = 8, pagesPerGuest: Int = 512 * 1024) -> ContentMap {
        var contentOfPage = [UInt32](repeating: 0, count: guests * pagesPerGuest)
        let base = pagesPerGuest * 4 / 10
        let zero = pagesPerGuest / 10
        let repeated = pagesPerGuest / 20
        var next = UInt32(1 + base)  // 0: the zero page; 1 ... base: shared base pages
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
            contentOfPage: contentOfPage,
            checksum: checksum, isZero: isZero)
    }

    /// Resident memory of this process, bytes.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    @Test("16 GiB of guests, 20 full scans", arguments: [false, true])
    func sixteenGiB(smartScan: Bool) throws {
        let map = Self.fleet()
        let pages = map.layout.totalPages
        let before = Self.residentBytes()
        let clock = ContinuousClock()
        let start = clock.now
        var simulator = KSMSimulator(contents: map, tunables: try SimulatorTunables(smartScan: smartScan))
        simulator.runFullScans(20)
        let elapsed = clock.now - start
        let after = Self.residentBytes()
        let sample = simulator.sample
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "scale: smart_scan \(smartScan ? 1 : 0): \(pages) pages, 20 full scans in \(String(format: "%.2f", seconds)) s wall "
                + "(\(String(format: "%.1f", seconds * 1e9 / Double(pages * 20))) ns per page visit), "
                + "simulator state \(String(format: "%.1f", Double(after - before) / Double(pages))) bytes/page, "
                + "simulated \(String(format: "%.0f", sample.tSeconds)) s, pages_sharing \(sample.pagesSharing)")
        let expected = ConvergenceSummary.convergedSavedPages(contents: map, images: Array(0..<8), tunables: .defaults)
        #expect(sample.pagesSharing + sample.ksmZeroPages == expected)
    }
}
