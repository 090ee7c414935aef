#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Synchronization

/// Caps the bytes all workers read per second (`--rate-limit`): a worker that is ahead of the
/// allowed schedule sleeps until it is on time again.
final class RateLimiter: Sendable {
    private let bytesPerSecond: Double
    private let state: Mutex<(start: UInt64, bytes: Double)>

    /// Creates a limiter of `bytesPerSecond`.
    init(bytesPerSecond: Int) {
        self.bytesPerSecond = Double(max(1, bytesPerSecond))
        state = Mutex((DispatchTime.now().uptimeNanoseconds, 0))
    }

    /// Accounts for `bytes` read and waits while the total is ahead of the schedule.
    func consume(_ bytes: Int) {
        let due = state.withLock { state -> Double in
            state.bytes += Double(bytes)
            return Double(state.start) / 1e9 + state.bytes / bytesPerSecond
        }
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        if due > now { usleep(UInt32(min(10.0, due - now) * 1e6)) }
    }
}
