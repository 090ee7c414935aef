#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Synchronization

/// The machine-wide right to drive ksmd: an exclusive `flock` on one lock file.
///
/// There is one ksmd per machine, so two jobs that change its tunables or read its global
/// counters at the same time spoil each other's results (`verify-kernel`, `calibrate`, a test
/// run). Every ``KSMSettingsGuard`` holds this lock for its whole life, and a second one waits
/// until the first is gone. The kernel drops a `flock` when its holder exits, however it
/// exits, so a killed job never leaves the lock behind.
///
/// Within one process the lock is shared: while one instance holds it, more instances are
/// granted at once and the lock is released with the last of them. Jobs of one process order
/// themselves (the real-kernel tests run one at a time), and a test can hold the lock around a
/// library call that takes it again.
public final class KSMDriverLock: Sendable {
    /// The lock file: in `/run/lock` (a tmpfs on Debian), else in `/tmp`.
    public static var defaultPath: String {
        access("/run/lock", W_OK) == 0 ? "/run/lock/ksmscope-ksmd.lock" : "/tmp/ksmscope-ksmd.lock"
    }

    /// This process's hold on the lock: the open lock file and how many instances share it.
    private struct Hold {
        var descriptor: Int32 = -1
        var count = 0
    }

    private static let hold = Mutex(Hold())

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
        self.path = path
        let shared = Self.hold.withLock { hold in
            guard hold.count > 0 else { return false }
            hold.count += 1
            return true
        }
        if shared { return }
        let descriptor = try Self.acquire(path: path, timeoutSeconds: timeoutSeconds, waiting: waiting)
        Self.hold.withLock { hold in
            if hold.count > 0 {
                // Another thread of this process took it meanwhile: share that one.
                close(descriptor)
            } else {
                hold.descriptor = descriptor
            }
            hold.count += 1
        }
    }

    /// Opens the lock file and waits for the `flock`; returns the open file.
    private static func acquire(path: String, timeoutSeconds: Double, waiting: (Int32?) -> Void) throws(KernelError)
        -> Int32
    {
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
        return descriptor
    }

    /// The pid written by the current holder, if readable.
    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).filter(\.isNumber))
    }

    deinit {
        Self.hold.withLock { hold in
            hold.count -= 1
            if hold.count == 0 {
                close(hold.descriptor)
                hold.descriptor = -1
            }
        }
    }
}
