import ArgumentParser
import KSMScope

/// A byte count given as `64M`, `64MiB`, `1G`, `512k` or `4096` (binary units).
struct ByteCount: ExpressibleByArgument {
    /// The count in bytes.
    var bytes: Int

    init?(argument: String) {
        guard let bytes = LiveMemorySelection.parseSize(argument) else { return nil }
        self.bytes = bytes
    }
}

