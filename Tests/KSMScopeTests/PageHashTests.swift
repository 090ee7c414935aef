import CPageHash
import CXXHash
import Testing

@testable import KSMScope

/// The fast page hashes must give libxxhash's values exactly: XXH64's low 32 bits are the
/// kernel's checksum (`simulate`) and both hashes are stored in fingerprint files.
@Suite("Page hashes equal libxxhash's")
struct PageHashTests {
    /// `count` random blocks of `length` bytes, every other one at an odd address.
    static func blocks(count: Int, length: Int, seed: UInt64) -> (storage: [[UInt8]], offsets: [Int]) {
        var generator = SplitMix(state: seed)
        let storage = (0..<count).map { _ in (0..<(length + 1)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        return (storage, (0..<count).map { $0 % 2 })
    }

    /// Runs `body` with pointers to the blocks.
    static func withPointers<R>(_ blocks: (storage: [[UInt8]], offsets: [Int]), _ body: ([UnsafeRawPointer?]) -> R) -> R {
        let buffers = blocks.storage.map { bytes -> UnsafeMutableRawBufferPointer in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
            buffer.copyBytes(from: bytes)
            return buffer
        }
        defer { for buffer in buffers { buffer.deallocate() } }
        return body(zip(buffers, blocks.offsets).map { UnsafeRawPointer($0.0.baseAddress! + $0.1) })
    }

    @Test(
        "XXH64 of many blocks, every path, every remainder of 16",
        arguments: [32, 96, 512, 4096, 16384, 33, 100, 4095])
    func xxh64Blocks(length: Int) {
        for count in [0, 1, 2, 3, 5, 8, 15, 16, 17, 31, 40] {
            let blocks = Self.blocks(count: count, length: length, seed: UInt64(length * 100 + count))
            Self.withPointers(blocks) { pointers in
                let expected = pointers.map { XXH64($0, length, 0) }
                var paths: [(String, [UInt64])] = []
                var hashes = [UInt64](repeating: 0, count: count)
                ksmscope_xxh64_blocks(pointers, count, length, &hashes)
                paths.append(("dispatched", hashes))
                ksmscope_xxh64_blocks_scalar(pointers, count, length, &hashes)
                paths.append(("scalar", hashes))
                if ksmscope_cpu_has_avx512() != 0 {
                    ksmscope_xxh64_blocks_avx512(pointers, count, length, &hashes)
                    paths.append(("avx512", hashes))
                }
                PageHashFunction.xxh64.hash(pages: pointers, count: count, length: length, into: &hashes)
                paths.append(("PageHashFunction.xxh64", hashes))
                for (path, hashes) in paths {
                    #expect(hashes == expected, "\(path), \(count) blocks of \(length) bytes")
                }
            }
        }
    }

    @Test("a closure hash function hashes a batch page by page")
    func closureBatch() {
        let function = PageHashFunction(name: "first-byte") { UInt64($0[0]) }
        let blocks = Self.blocks(count: 5, length: 512, seed: 3)
        Self.withPointers(blocks) { pointers in
            var hashes = [UInt64](repeating: 0, count: 5)
            function.hash(pages: pointers, count: 5, length: 512, into: &hashes)
            #expect(hashes == pointers.map { UInt64($0!.load(as: UInt8.self)) })
        }
    }

    @Test("XXH3-64 with a seed, every path", arguments: [0, 1, 16, 17, 128, 129, 240, 241, 512, 4096, 4097, 65536])
    func xxh3(length: Int) {
        let blocks = Self.blocks(count: 2, length: length, seed: UInt64(length))
        Self.withPointers(blocks) { pointers in
            for pointer in pointers {
                for seed: UInt64 in [0, PageFingerprint.xxh3Seed] {
                    let expected = XXH3_64bits_withSeed(pointer, length, seed)
                    #expect(ksmscope_xxh3_64(pointer, length, seed) == expected)
                    if ksmscope_cpu_has_avx2() != 0 {
                        #expect(ksmscope_xxh3_64_avx2(pointer, length, seed) == expected)
                    }
                }
            }
        }
    }

    @Test("XXH3-64 of data in pieces (the fingerprint files' checksum), every path")
    func xxh3Stream() {
        let blocks = Self.blocks(count: 1, length: 300_000, seed: 77)
        Self.withPointers(blocks) { pointers in
            let data = pointers[0]!
            let expected = XXH3_64bits(data, 300_000)
            for pieces in [[300_000], [1, 2, 3, 299_994], [100_000, 0, 200_000], Array(repeating: 1000, count: 300)] {
                var paths: [(String, UInt64)] = []
                let state = ksmscope_xxh3_stream_create()!
                var offset = 0
                for piece in pieces {
                    ksmscope_xxh3_stream_update(state, data + offset, piece)
                    offset += piece
                }
                paths.append(("dispatched", ksmscope_xxh3_stream_digest(state)))
                ksmscope_xxh3_stream_free(state)
                if ksmscope_cpu_has_avx2() != 0 {
                    let state = ksmscope_xxh3_stream_create_avx2()!
                    offset = 0
                    for piece in pieces {
                        ksmscope_xxh3_stream_update_avx2(state, data + offset, piece)
                        offset += piece
                    }
                    paths.append(("avx2", ksmscope_xxh3_stream_digest_avx2(state)))
                    ksmscope_xxh3_stream_free_avx2(state)
                }
                for (path, digest) in paths { #expect(digest == expected, "\(path), pieces \(pieces.prefix(4))") }
            }
        }
    }

    @Test("the implementations chosen follow the CPU's features")
    func implementations() {
        let blocks = String(cString: ksmscope_xxh64_blocks_implementation())
        let xxh3 = String(cString: ksmscope_xxh3_implementation())
        #expect(blocks == (ksmscope_cpu_has_avx512() != 0 ? "avx512" : "scalar"))
        #expect(xxh3 == (ksmscope_cpu_has_avx2() != 0 ? "avx2" : "libxxhash"))
    }
}
