import CLZO
import CSnappy
import CZlib
import CZstd

/// How one page of a kdump-compressed dump is compressed, from its page descriptor's flags.
///
/// makedumpfile and QEMU compress every page on its own and store it uncompressed when that
/// does not make it smaller; the descriptor's `flags` say which library was used
/// (`DUMP_DH_COMPRESSED_*`).
enum PageCompression: UInt32, Sendable, CaseIterable {
    /// `DUMP_DH_COMPRESSED_ZLIB`: a zlib stream (`compress2`).
    case zlib = 0x1
    /// `DUMP_DH_COMPRESSED_LZO`: LZO1X (`lzo1x_1_compress`).
    case lzo = 0x2
    /// `DUMP_DH_COMPRESSED_SNAPPY`: raw snappy (`snappy_compress`).
    case snappy = 0x4
    /// `DUMP_DH_COMPRESSED_ZSTD`: one or more zstd frames.
    case zstd = 0x20

    /// Every compression flag bit.
    static let flagMask: UInt32 = 0x27

    /// The library's name, for messages.
    var name: String {
        switch self {
        case .zlib: "zlib"
        case .lzo: "lzo"
        case .snappy: "snappy"
        case .zstd: "zstd"
        }
    }

    /// Why a compressed page could not be restored.
    struct Failure: Error, Equatable {
        /// What went wrong, in a few words.
        let reason: String
    }

    /// Decompresses pages into one reusable buffer; used by one thread at a time.
    ///
    /// The output buffer is overwritten by every call, so a returned page is valid until the
    /// next one. zstd keeps a decompression context here so pages do not each allocate one.
    final class Decompressor {
        /// The size every page must decompress to.
        let blockSize: Int
        /// Where pages are decompressed to.
        private let output: UnsafeMutableRawBufferPointer
        /// zstd's reusable context, made on first use.
        private var zstdContext: OpaquePointer?

        init(blockSize: Int) {
            self.blockSize = blockSize
            output = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        }

        deinit {
            output.deallocate()
            if let zstdContext { ZSTD_freeDCtx(zstdContext) }
        }

        /// Decompresses `input` with `method` into the reader's buffer.
        ///
        /// - Returns: the page, exactly ``blockSize`` bytes, or why it could not be restored
        ///   (corrupt data, or data that restores to another size).
        func decompress(_ input: UnsafeRawBufferPointer, _ method: PageCompression) -> Result<
            UnsafeRawBufferPointer, Failure
        > {
            guard let source = input.baseAddress, input.count > 0 else { return .failure(Failure(reason: "no data")) }
            let destination = output.baseAddress!
            var produced = 0
            switch method {
            case .zlib:
                var length = uLongf(blockSize)
                let status = uncompress(
                    destination.assumingMemoryBound(to: Bytef.self), &length,
                    source.assumingMemoryBound(to: Bytef.self), uLong(input.count))
                guard status == Z_OK else {
                    return .failure(
                        Failure(
                            reason: status == Z_BUF_ERROR
                                ? "zlib data restores to more than \(blockSize) bytes or is cut short"
                                : "corrupt zlib data (error \(status))"))
                }
                produced = Int(length)
            case .lzo:
                guard PageCompression.lzoReady else {
                    return .failure(Failure(reason: "the lzo library failed to initialise"))
                }
                var length = lzo_uint(blockSize)
                let status = lzo1x_decompress_safe(
                    UnsafeMutablePointer(mutating: source.assumingMemoryBound(to: UInt8.self)), lzo_uint(input.count),
                    destination.assumingMemoryBound(to: UInt8.self), &length, nil)
                guard status == LZO_E_OK else {
                    return .failure(
                        Failure(
                            reason: status == LZO_E_OUTPUT_OVERRUN
                                ? "lzo data restores to more than \(blockSize) bytes"
                                : "corrupt lzo data (error \(status))"))
                }
                produced = Int(length)
            case .snappy:
                var expected = 0
                guard
                    snappy_uncompressed_length(source.assumingMemoryBound(to: CChar.self), input.count, &expected)
                        == SNAPPY_OK
                else {
                    return .failure(Failure(reason: "corrupt snappy data (bad length header)"))
                }
                guard expected == blockSize else {
                    return .failure(Failure(reason: "snappy data restores to \(expected) bytes, not \(blockSize)"))
                }
                var length = blockSize
                guard
                    snappy_uncompress(
                        source.assumingMemoryBound(to: CChar.self), input.count,
                        destination.assumingMemoryBound(to: CChar.self), &length)
                        == SNAPPY_OK
                else { return .failure(Failure(reason: "corrupt snappy data")) }
                produced = length
            case .zstd:
                if zstdContext == nil { zstdContext = ZSTD_createDCtx() }
                guard let context = zstdContext else { return .failure(Failure(reason: "cannot make a zstd context")) }
                let result = ZSTD_decompressDCtx(context, destination, blockSize, source, input.count)
                guard ZSTD_isError(result) == 0 else {
                    return .failure(
                        Failure(reason: "corrupt zstd data (\(String(cString: ZSTD_getErrorName(result))))"))
                }
                produced = result
            }
            guard produced == blockSize else {
                return .failure(Failure(reason: "\(method.name) data restores to \(produced) bytes, not \(blockSize)"))
            }
            return .success(UnsafeRawBufferPointer(output))
        }
    }

    /// Whether `lzo_init()` succeeded; run once, before the first LZO page.
    static let lzoReady: Bool = clzo_init() == LZO_E_OK
}
