// Test support shared with Fuzz/ (Fuzz/Sources/FuzzSupport/DumpWriters is a symlink to this
// folder, whose files write the fuzzers' seed corpus): no tests and no `import Testing` here.
// The library only decompresses; the dump writers compress with the same C libraries.

import CLZO
import CSnappy
import CZlib
import CZstd

@testable import KSMScope

extension PageCompression {
    /// Compresses one page as makedumpfile would, or nil when the library fails.
    static func compress(_ page: [UInt8], with method: PageCompression) -> [UInt8]? {
        page.withUnsafeBytes { input -> [UInt8]? in
            let source = input.baseAddress!
            switch method {
            case .zlib:
                var length = compressBound(uLong(input.count))
                var output = [UInt8](repeating: 0, count: Int(length))
                let status = output.withUnsafeMutableBytes {
                    compress2(
                        $0.baseAddress!.assumingMemoryBound(to: Bytef.self), &length,
                        source.assumingMemoryBound(to: Bytef.self), uLong(input.count), Z_BEST_SPEED)
                }
                return status == Z_OK ? Array(output[0..<Int(length)]) : nil
            case .lzo:
                guard lzoReady else { return nil }
                var output = [UInt8](repeating: 0, count: input.count + input.count / 16 + 64 + 3)
                var work = [UInt8](repeating: 0, count: Int(clzo1x_1_compress_work_size()))
                var length = lzo_uint(0)
                let status = output.withUnsafeMutableBytes { out in
                    work.withUnsafeMutableBytes { scratch in
                        lzo1x_1_compress(
                            UnsafeMutablePointer(mutating: source.assumingMemoryBound(to: UInt8.self)),
                            lzo_uint(input.count),
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, scratch.baseAddress)
                    }
                }
                return status == LZO_E_OK ? Array(output[0..<Int(length)]) : nil
            case .snappy:
                var length = snappy_max_compressed_length(input.count)
                var output = [UInt8](repeating: 0, count: length)
                let status = output.withUnsafeMutableBytes {
                    snappy_compress(
                        source.assumingMemoryBound(to: CChar.self), input.count,
                        $0.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
                }
                return status == SNAPPY_OK ? Array(output[0..<length]) : nil
            case .zstd:
                var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
                let length = output.withUnsafeMutableBytes {
                    ZSTD_compress($0.baseAddress!, $0.count, source, input.count, 1)
                }
                return ZSTD_isError(length) == 0 ? Array(output[0..<length]) : nil
            }
        }
    }
}
