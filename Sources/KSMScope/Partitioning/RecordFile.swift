#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Fixed-size records appended to and read back from partition files in a
/// ``TemporaryWorkspace``, with the engine's errors (a full file system names the folder and
/// what to do).
enum RecordFile {
    /// Opens `path` for appending, creating it (private to the user).
    ///
    /// - Throws: ``PartitionError/cannotWrite(path:reason:)``.
    static func openForAppending(_ path: String) throws(PartitionError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        return descriptor
    }

    /// Writes all of `bytes` to `descriptor` (the file `path` in `workspace`).
    ///
    /// - Throws: ``PartitionError/diskFull(path:)`` when the file system is full,
    ///   ``PartitionError/cannotWrite(path:reason:)`` otherwise.
    static func append(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String, workspace: TemporaryWorkspace)
        throws(PartitionError)
    {
        var done = 0
        while done < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 {
                throw errno == ENOSPC || written == 0
                    ? .diskFull(path: workspace.path) : .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            done += written
        }
    }

    /// The number of whole records of `size` bytes in the file at `path` (0 if it is missing).
    static func records(in path: String, size: Int) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) / size : 0
    }

    /// Reads the file at `path` into `buffer`, which it fills exactly.
    ///
    /// - Throws: ``PartitionError/cannotWrite(path:reason:)`` when it cannot be read or is
    ///   shorter than the buffer.
    static func load(_ path: String, into buffer: UnsafeMutableRawBufferPointer) throws(PartitionError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var done = 0
        while done < buffer.count {
            let got = read(descriptor, buffer.baseAddress! + done, buffer.count - done)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw .cannotWrite(path: path, reason: got == 0 ? "partition file shrank" : String(cString: strerror(errno)))
            }
            done += got
        }
    }
}
