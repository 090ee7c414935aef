#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CKSMSupport
import Foundation
import Synchronization

/// Work to undo when the process is interrupted (SIGINT, SIGTERM, SIGHUP) before it could undo
/// it itself: kernel settings to restore, temporary files to remove, a progress line to clear.
///
/// The signals are caught only while at least one cleanup is registered; afterwards their
/// previous dispositions come back. On a signal every registered cleanup runs, the newest
/// first, and the process exits with status 128 + the signal number, as a shell reports a
/// signal death.
///
/// The handler is the self-pipe trick in C (`ksmscope_catch_signal()`): it only writes the
/// signal's number to a pipe, and a thread of ours reading that pipe runs the cleanups. Unlike a
/// dispatch signal source, it needs no signal mask in any thread, so a signal is caught whichever
/// thread the kernel delivers it to (the scan's workers, a timer's thread).
public enum InterruptCleanup {
    /// A registered cleanup; ``cancel()`` it once the work it undoes is undone.
    public final class Registration: Sendable {
        fileprivate let id: Int

        fileprivate init(id: Int) { self.id = id }

        /// Unregisters the cleanup without running it.
        public func cancel() { InterruptCleanup.unregister(id) }
    }

    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    private struct State: @unchecked Sendable {
        var next = 0
        var cleanups: [(id: Int, run: @Sendable () -> Void)] = []
        /// The pipe's write end, once the reading thread runs.
        var pipe: Int32 = -1
        /// The dispositions replaced while cleanups are registered.
        var previous: [sigaction] = []
    }

    private static let state = Mutex(State())

    /// Lets the signals through to the calling thread, and so to the threads it starts later.
    ///
    /// A process can start with them blocked (its parent's mask is inherited across exec), and
    /// a blocked signal never reaches the handler. The executable calls this first thing, before
    /// it starts any thread; ``register(_:)`` calls it for the thread it runs on.
    public static func unblockSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in signals { sigaddset(&set, signalNumber) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Runs `cleanup` if the process is interrupted before the registration is cancelled.
    public static func register(_ cleanup: @escaping @Sendable () -> Void) -> Registration {
        unblockSignals()
        return state.withLock { state in
            if state.pipe < 0 { state.pipe = startReader() }
            if state.cleanups.isEmpty, state.pipe >= 0 {
                state.previous = signals.map { signalNumber in
                    var previous = sigaction()
                    _ = ksmscope_catch_signal(signalNumber, state.pipe, &previous)
                    return previous
                }
            }
            state.next += 1
            state.cleanups.append((state.next, cleanup))
            return Registration(id: state.next)
        }
    }

    private static func unregister(_ id: Int) {
        state.withLock { state in
            guard let index = state.cleanups.firstIndex(where: { $0.id == id }) else { return }
            state.cleanups.remove(at: index)
            guard state.cleanups.isEmpty else { return }
            for (signalNumber, previous) in zip(signals, state.previous) {
                var previous = previous
                _ = ksmscope_restore_signal(signalNumber, &previous)
            }
            state.previous = []
        }
    }

    /// Makes the pipe and the thread that waits on it; returns the write end, or -1.
    private static func startReader() -> Int32 {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return -1 }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let readEnd = ends[0]
        let thread = Thread {
            var number: UInt8 = 0
            while true {
                let got = read(readEnd, &number, 1)
                if got == 1 {
                    interrupted(by: Int32(number))
                } else if got < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.name = "ksmscope.interrupts"
        thread.start()
        return ends[1]
    }

    private static func interrupted(by signalNumber: Int32) {
        let cleanups = state.withLock { $0.cleanups }
        // A signal that raced with the last cancel: act as the disposition now in place would.
        guard !cleanups.isEmpty else {
            kill(getpid(), signalNumber)
            return
        }
        for cleanup in cleanups.reversed() { cleanup.run() }
        exit(128 + signalNumber)
    }
}
