#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small readers for `/proc` files, which report size 0 and must be read to the end.
enum ProcFiles {
    /// A failed `open` or `read`, with the C `errno`.
    struct Failure: Error {
        /// The `errno` value.
        var code: Int32
        /// `strerror(code)`.
        var reason: String { String(cString: strerror(code)) }
    }

    /// Reads a whole file as bytes.
    static func bytes(_ path: String) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(code: errno) }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(code: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Reads a whole file as UTF-8 text (invalid bytes replaced).
    static func text(_ path: String) throws(Failure) -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// Reads exactly `count` bytes at `offset` of an open file, retrying short reads; returns
    /// fewer only at the end of what the file can give.
    static func readFully(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int
    ) throws(Failure) -> Int {
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                if done > 0 { return done }
                throw Failure(code: errno)
            }
            if got == 0 { break }
            done += got
        }
        return done
    }
}
