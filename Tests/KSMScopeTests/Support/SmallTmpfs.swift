import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A tmpfs of a few files, mounted on a new temporary folder and unmounted when released (root).
///
/// Writing to it fails for a real reason: once `inodes` files and folders exist (the tmpfs's
/// root folder counts as one), creating another fails with ENOSPC, "No space left on device".
final class SmallTmpfs {
    let path: String

    struct MountError: Error, CustomStringConvertible {
        let description: String
    }

    init(inodes: Int, megabytes: Int = 64) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ksmscope-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("ksmscope-test", path, "tmpfs", 0, "size=\(megabytes)m,nr_inodes=\(inodes),mode=0755") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: path)
            throw MountError(description: "cannot mount a tmpfs on \(path): \(reason)")
        }
    }

    deinit {
        umount2(path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: path)
    }
}
