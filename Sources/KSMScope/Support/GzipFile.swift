import CZlib

/// Small gzip files (such as `/proc/config.gz`) read whole through zlib.
enum GzipFile {
    /// The decompressed text of the file at `path`, at most `limit` bytes; nil when it cannot
    /// be read or is larger.
    static func text(path: String, limit: Int = 16 << 20) -> String? {
        guard let file = gzopen(path, "rb") else { return nil }
        defer { gzclose(file) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count <= limit {
            let count = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            guard count > 0 else { return count == 0 ? String(decoding: data, as: UTF8.self) : nil }
            data += buffer[0..<Int(count)]
        }
        return nil
    }
}
