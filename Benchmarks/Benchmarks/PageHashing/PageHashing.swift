// Cost of the per-page work of a scan: fingerprinting a 4 KiB page with the scanner's XXH64,
// and the memcmp that byte verification adds (against the zero page, and against an equal page).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Benchmark
import KSMScope

/// A 4 KiB page of deterministic pseudo-random bytes (xorshift64*), 64-byte aligned.
private func makePage(seed: UInt64) -> UnsafeMutableRawBufferPointer {
    let page = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
    var state = seed | 1
    for index in 0..<(4096 / 8) {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        page.storeBytes(of: state &* 0x2545_F491_4F6C_DD1D, toByteOffset: index * 8, as: UInt64.self)
    }
    return page
}

/// Pages shared by every benchmark: never freed, immutable after creation.
private struct Pages: @unchecked Sendable {
    let random = UnsafeRawBufferPointer(makePage(seed: 0x6B73_6D73_636F_7065))
    let randomCopy: UnsafeRawBufferPointer
    let zero: UnsafeRawBufferPointer
    init() {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
        copy.copyMemory(from: random)
        randomCopy = UnsafeRawBufferPointer(copy)
        let zero = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
        zero.initializeMemory(as: UInt8.self, repeating: 0)
        self.zero = UnsafeRawBufferPointer(zero)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        thresholds: [.wallClock: .relaxed]
    )
    let pages = Pages()
    let hash = PageHashFunction.xxh64

    // One page hashed 1000 times per iteration: stays in L1, so this is the pure hashing cost.
    Benchmark("XXH64 4 KiB page (PageHashFunction.xxh64)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(hash(pages.random)) }
    }

    Benchmark("XXH64 4 KiB zero page (PageHashFunction.xxh64)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(hash(pages.zero)) }
    }

    // Byte verification of an all-zero page: what the scanner does for every page whose hash
    // is the zero page's hash (35% of the generated set).
    Benchmark("memcmp 4 KiB zero page vs zero page") { benchmark in
        let a = pages.zero.baseAddress!
        let copy = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)
        copy.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(memcmp(copy, a, 4096)) }
        benchmark.stopMeasurement()
        copy.deallocate()
    }

    // A zero test on a page that is not zero stops at the first differing byte: what a scanner
    // pays per non-zero page if it tests for zero before hashing (and so skips XXH64 for the
    // zero pages).
    Benchmark("memcmp 4 KiB random page vs zero page (early exit)") { benchmark in
        let a = pages.random.baseAddress!
        let zero = pages.zero.baseAddress!
        for _ in benchmark.scaledIterations { blackHole(memcmp(a, zero, 4096)) }
    }

    // Byte verification of a duplicate: two equal random pages compared to the end.
    Benchmark("memcmp 4 KiB equal random pages") { benchmark in
        let a = pages.random.baseAddress!
        let b = pages.randomCopy.baseAddress!
        for _ in benchmark.scaledIterations { blackHole(memcmp(a, b, 4096)) }
    }

    // Hash plus verify, what one duplicate page costs in phase one when both pages are cached.
    Benchmark("XXH64 + memcmp 4 KiB equal page") { benchmark in
        let b = pages.randomCopy.baseAddress!
        for _ in benchmark.scaledIterations {
            blackHole(hash(pages.random))
            blackHole(memcmp(pages.random.baseAddress!, b, 4096))
        }
    }

    // Hashing a stream of distinct pages that do not fit in cache (64 MiB buffer), closer to
    // what a scan sees: memory bandwidth plus hashing.
    Benchmark(
        "XXH64 4 KiB pages streamed from a 64 MiB buffer",
        configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(2))
    ) { benchmark in
        let pageCount = 16384
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pageCount * 4096, alignment: 4096)
        for page in 0..<pageCount {
            let source = makePage(seed: UInt64(page) &* 0x9E37_79B9_7F4A_7C15)
            (buffer.baseAddress! + page * 4096).copyMemory(from: source.baseAddress!, byteCount: 4096)
            source.deallocate()
        }
        var next = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress! + next * 4096, count: 4096)
            blackHole(hash(bytes))
            next = (next + 1) & (pageCount - 1)
        }
        benchmark.stopMeasurement()
        buffer.deallocate()
    }
}
