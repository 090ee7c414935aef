extension KdumpImage {
    /// The dump's bytes by offset in the (reassembled) dump, for a plain file or a stream.
    ///
    /// The byte copies here are in functions that cannot throw, and nothing takes a throwing
    /// closure: Swift 6.3 at -O can return from a throwing function whose last act is a tail
    /// call to `memmove` without clearing the error register, and the caller then sees a
    /// "phantom" error of garbage (swiftlang/swift#90477; the fuzzers' inputs in
    /// FuzzRegressions/kdump/ crashed the release build that way).
    struct Storage {
        let file: MappedFile
        let stream: FlattenedKdumpStream?

        /// The file offset holding dump offset `offset`, for messages (the offset itself for a
        /// plain dump or a byte no record of a stream writes).
        func fileOffset(of offset: Int) -> Int {
            guard let stream else { return offset }
            return stream.fileOffset(ofLogical: offset) ?? offset
        }

        /// An error at dump offset `offset`; for a stream it also names the offset in the
        /// reassembled dump.
        func error(at offset: Int, _ problem: String, skippable: Bool = false) -> DumpError {
            guard stream != nil else {
                return DumpError(path: file.path, offset: offset, problem: problem, skippable: skippable)
            }
            return DumpError(
                path: file.path, offset: fileOffset(of: offset),
                problem: problem + " (at offset \(offset) of the reassembled dump)", skippable: skippable)
        }

        /// Whether every byte of `range` is in the dump (a plain file's bytes, or written by
        /// records of a stream).
        func isWritten(_ range: Range<Int>) -> Bool {
            guard let stream else { return range.lowerBound >= 0 && range.upperBound <= file.bytes.count }
            return stream.isWritten(range)
        }

        /// How many bytes of `range` are in the dump.
        func writtenBytes(in range: Range<Int>) -> Int {
            guard let stream else { return max(0, min(range.upperBound, file.bytes.count) - range.lowerBound) }
            return stream.writtenBytes(in: range)
        }

        /// Copies `count` bytes from dump offset `offset`; unwritten stretches of a stream are
        /// zeros, as after `makedumpfile -R`. False when a plain file ends before the bytes do.
        func copy(_ offset: Int, count: Int, into destination: UnsafeMutableRawPointer) -> Bool {
            guard let stream else {
                guard offset >= 0, count <= file.bytes.count, offset <= file.bytes.count - count else { return false }
                destination.copyMemory(from: file.bytes.baseAddress! + offset, byteCount: count)
                return true
            }
            for piece in stream.pieces(of: offset..<(offset + count)) {
                let target = destination + (piece.logical.lowerBound - offset)
                if let fileOffset = piece.fileOffset {
                    target.copyMemory(from: file.bytes.baseAddress! + fileOffset, byteCount: piece.logical.count)
                } else {
                    target.initializeMemory(as: UInt8.self, repeating: 0, count: piece.logical.count)
                }
            }
            return true
        }

        /// A copy of the bytes of `range`, for reading header fields.
        ///
        /// - Throws: a ``DumpError`` naming `what` when a plain file ends before the bytes do.
        func copy(_ range: Range<Int>, what: String) throws(DumpError) -> Bytes {
            let bytes = Bytes(count: range.count, offset: range.lowerBound)
            guard copy(range.lowerBound, count: range.count, into: bytes.buffer.baseAddress!) else {
                throw error(
                    at: range.lowerBound,
                    "truncated \(what): needs \(range.count) bytes from offset \(range.lowerBound), "
                        + "the file has \(file.bytes.count)")
            }
            return bytes
        }

        /// The stretches of `range` the dump holds, as (dump offset, bytes in place).
        func writtenPieces(of range: Range<Int>) -> [(Int, UnsafeRawBufferPointer)] {
            guard let stream else {
                let end = min(range.upperBound, file.bytes.count)
                guard range.lowerBound < end else { return [] }
                return [(range.lowerBound, UnsafeRawBufferPointer(rebasing: file.bytes[range.lowerBound..<end]))]
            }
            return stream.pieces(of: range).compactMap { piece in
                piece.fileOffset.map {
                    (
                        piece.logical.lowerBound,
                        UnsafeRawBufferPointer(start: file.bytes.baseAddress! + $0, count: piece.logical.count)
                    )
                }
            }
        }

        /// The bytes of `range` in place when they lie contiguously in the file, else copied
        /// into `scratch` (which must hold them); nil when some are not in the dump.
        func bytes(_ range: Range<Int>, scratch: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer? {
            guard let stream else {
                guard range.lowerBound >= 0, range.upperBound <= file.bytes.count else { return nil }
                return UnsafeRawBufferPointer(start: file.bytes.baseAddress! + range.lowerBound, count: range.count)
            }
            if let index = stream.segment(containing: range.lowerBound),
                stream.segments[index].logicalEnd >= range.upperBound
            {
                let segment = stream.segments[index]
                return UnsafeRawBufferPointer(
                    start: file.bytes.baseAddress! + segment.fileOffset + (range.lowerBound - segment.logicalStart),
                    count: range.count)
            }
            // Records split the bytes (QEMU flushes its buffers every few pages): gather them.
            guard range.count <= scratch.count, stream.isWritten(range),
                copy(range.lowerBound, count: range.count, into: scratch.baseAddress!)
            else { return nil }
            return UnsafeRawBufferPointer(rebasing: scratch[0..<range.count])
        }

        /// A copy of some of the dump's bytes, owned and freed with the value.
        final class Bytes {
            /// The copied bytes.
            let buffer: UnsafeMutableRawBufferPointer
            /// The dump offset they were copied from.
            let offset: Int

            init(count: Int, offset: Int) {
                buffer = .allocate(byteCount: count, alignment: 8)
                self.offset = offset
            }

            deinit { buffer.deallocate() }

            /// A little-endian cursor over the bytes, at their dump offsets; valid only while this
            /// object lives, so use it inside a call that has the object as a parameter.
            func cursor(_ path: String) -> ByteCursor {
                ByteCursor(UnsafeRawBufferPointer(buffer), base: offset, path: path)
            }

            /// The unsigned 64-bit field at `offset` (from the start of the copy).
            func u64(_ offset: Int, _ order: ByteCursor.ByteOrder, _ field: String, path: String) throws(DumpError)
                -> UInt64
            {
                try cursor(path).reading(order).u64(offset, field)
            }

            /// Whether every byte is zero.
            var isAllZero: Bool { UnsafeRawBufferPointer(buffer).allSatisfy { $0 == 0 } }
        }
    }
}
