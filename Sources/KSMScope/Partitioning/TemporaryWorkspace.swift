import Foundation

/// A private folder for the fingerprint engine's partition files, removed when the scan ends,
/// fails, or is interrupted (SIGINT, SIGTERM, SIGHUP: through ``InterruptCleanup``).
final class TemporaryWorkspace: @unchecked Sendable {
    /// The folder.
    let path: String
    private let removed = NSLock()
    private var isRemoved = false
    private var interrupt: InterruptCleanup.Registration?

    /// Creates `ksmscope-PID-RANDOM` inside `parent`.
    ///
    /// - Throws: ``PartitionError/cannotCreate(path:reason:)``.
    init(in parent: String) throws(PartitionError) {
        let name = "ksmscope-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        path = (parent.hasSuffix("/") ? parent : parent + "/") + name
        guard mkdir(path, 0o700) == 0 else {
            throw .cannotCreate(path: parent, reason: String(cString: strerror(errno)))
        }
        interrupt = InterruptCleanup.register { [path] in
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// The path of file `name` inside the folder.
    func file(_ name: String) -> String { path + "/" + name }

    /// Removes the folder and everything in it (once).
    func remove() {
        removed.lock()
        defer { removed.unlock() }
        guard !isRemoved else { return }
        isRemoved = true
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes the folder and stops watching for signals: call when the scan is done.
    func close() {
        remove()
        interrupt?.cancel()
    }
}

/// Why the fingerprint engine cannot keep its temporary files or partial results.
public enum PartitionError: Error, Equatable, CustomStringConvertible {
    /// The temporary folder cannot be made.
    case cannotCreate(path: String, reason: String)
    /// The file system of the temporary folder is full.
    case diskFull(path: String)
    /// Another write error.
    case cannotWrite(path: String, reason: String)
    /// A partition job's index is not below the count.
    case badPartition(index: Int, count: Int)

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "\(path): cannot create a temporary folder: \(reason) (--temp-dir names another place)"
        case .diskFull(let path):
            "\(path): no space left for temporary partition files (--temp-dir names a file system with more room; --memory-limit higher spills less)"
        case .cannotWrite(let path, let reason): "\(path): cannot write: \(reason)"
        case .badPartition(let index, let count): "partition \(index) of \(count): the index must be below the count"
        }
    }
}
