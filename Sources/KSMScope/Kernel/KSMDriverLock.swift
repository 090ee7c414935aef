#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch

/// The machine-wide right to drive ksmd: an exclusive `flock` on one lock file.
///
/// There is one ksmd per machine, so two jobs that change its tunables or read its global
/// counters at the same time spoil each other's results (`verify-kernel`, `calibrate`, a test
/// run). Every ``KSMSettingsGuard`` holds this lock for its whole life, and a second one waits
/// until the first is gone. The kernel drops a `flock` when its holder exits, however it
/// exits, so a killed job never leaves the lock behind.
public final class KSMDriverLock: Sendable {
    /// The lock file: in `/run/lock` (a tmpfs on Debian), else in `/tmp`.
    public static var defaultPath: String {
        access("/run/lock", W_OK) == 0 ? "/run/lock/ksmscope-ksmd.lock" : "/tmp/ksmscope-ksmd.lock"
    }

    /// The open lock file; closing it releases the lock.
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock, waiting up to `timeoutSeconds` while another process holds it.
    ///
    /// - Parameters:
    ///   - path: the lock file, created if missing.
    ///   - timeoutSeconds: how long to wait for a holder to finish.
    ///   - waiting: called once, with the holder's pid when known, if the lock is busy.
    /// - Throws: ``KernelError/cannotLock(path:reason:)`` when the file cannot be opened, and
    ///   ``KernelError/busy(pid:)`` when the holder did not finish in time.
    public init(
        path: String = KSMDriverLock.defaultPath, timeoutSeconds: Double = 900,
        waiting: (Int32?) -> Void = { _ in }
    ) throws(KernelError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotLock(path: path, reason: String(cString: strerror(errno))) }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeoutSeconds) * 1e9)
        var told = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw .cannotLock(path: path, reason: String(cString: strerror(code)))
            }
            let holder = Self.holder(descriptor)
            guard DispatchTime.now().uptimeNanoseconds < deadline else {
                close(descriptor)
                throw .busy(pid: holder)
            }
            if !told {
                waiting(holder)
                told = true
            }
            usleep(100_000)
        }
        // Record who holds it, for the next one's message.
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
        self.path = path
    }

    /// The pid written by the current holder, if readable.
    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).filter(\.isNumber))
    }

    deinit { close(descriptor) }
}
