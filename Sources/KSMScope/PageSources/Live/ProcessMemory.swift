#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An open `/proc/PID/mem`, closed when the last image and reader using it are gone.
///
/// `pread` on one descriptor is safe from any number of threads; the descriptor stays bound to
/// the process it was opened for even if the pid is reused.
final class ProcessMemory: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }
}
