#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Synchronization

/// Work to undo when the process is interrupted (SIGINT, SIGTERM, SIGHUP) before it could undo
/// it itself: kernel settings to restore, temporary files to remove, a progress line to clear.
///
/// The signals are caught only while at least one cleanup is registered; afterwards their
/// previous dispositions come back, so processes started later (which inherit ignored signals)
/// are not affected. On a signal every registered cleanup runs, the newest first, and the
/// process exits with status 128 + the signal number, as a shell reports a signal death.
public enum InterruptCleanup {
    /// A registered cleanup; ``cancel()`` it once the work it undoes is undone.
    public final class Registration: Sendable {
        fileprivate let id: Int

        fileprivate init(id: Int) { self.id = id }

        /// Unregisters the cleanup without running it.
        public func cancel() { InterruptCleanup.unregister(id) }
    }

    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    private struct State {
        var next = 0
        var cleanups: [(id: Int, run: @Sendable () -> Void)] = []
        var sources: [any DispatchSourceSignal] = []
        var previous: [__sighandler_t?] = []
    }

    private static let state = Mutex(State())

    /// Runs `cleanup` if the process is interrupted before the registration is cancelled.
    public static func register(_ cleanup: @escaping @Sendable () -> Void) -> Registration {
        state.withLock { state in
            if state.cleanups.isEmpty {
                for signalNumber in signals {
                    state.previous.append(signal(signalNumber, SIG_IGN))
                    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                    source.setEventHandler { interrupted(by: signalNumber) }
                    source.resume()
                    state.sources.append(source)
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
            for source in state.sources { source.cancel() }
            for (signalNumber, previous) in zip(signals, state.previous) { signal(signalNumber, previous) }
            state.sources = []
            state.previous = []
        }
    }

    private static func interrupted(by signalNumber: Int32) {
        let cleanups = state.withLock { $0.cleanups }
        for cleanup in cleanups.reversed() { cleanup.run() }
        exit(128 + signalNumber)
    }
}
