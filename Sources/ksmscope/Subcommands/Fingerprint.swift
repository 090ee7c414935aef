import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope fingerprint`: fingerprint files that travel instead of dumps.
    struct Fingerprint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one fingerprint file per guest: 16 bytes a non-zero page, zero pages as runs.",
            discussion: """
                Reads each image, dump or live process (--pid, --qemu) once, front to back, and writes \
                DIR/NAME.ksmfp: per non-zero page its XXH64 (the kernel's checksum) and XXH3-64, zero pages \
                as runs (format: docs/fingerprint-format.md). scan, simulate and plan take fingerprint files \
                and folders of them wherever they take images, with the same results. Runs at the lowest \
                CPU priority and in the idle I/O class; --rate-limit caps the read rate.
                """
        )

        @OptionGroup var read: ReadOptions

        @Flag(name: .customLong("keep-going"), help: "Leave out and count unreadable pages of a dump instead of stopping.")
        var keepGoing = false

        @Option(name: .customLong("out"), help: ArgumentHelp("Folder to write the fingerprint files to (created if missing).", valueName: "dir"))
        var out: String

        @Option(
            name: .customLong("rate-limit"),
            help: ArgumentHelp("Read at most this many MB (10^6 bytes) a second, all workers together.", valueName: "MB/s"))
        var rateLimit: Double?

        @Option(
            name: .customLong("sample"),
            help: ArgumentHelp("Keep only contents in a 1/N slice of the hash space (scan then estimates).", valueName: "1/N"))
        var sample: String?

        @OptionGroup var live: LiveOptions

        @Argument(help: "Image files or dumps, or folders whose regular files are.")
        var paths: [String] = []

        func validate() throws {
            guard !paths.isEmpty || live.namesImages else {
                throw ValidationError("name at least one image file or folder, --pid PID or --qemu")
            }
            if let rateLimit, !(rateLimit > 0 && rateLimit.isFinite) {
                throw ValidationError("--rate-limit \(rateLimit): must be a positive number of MB/s")
            }
            if let sample { do { _ = try SampleRate(parsing: sample) } catch { throw ValidationError("\(error)") } }
        }

        func run() throws {
            let written = try CommandFailure.reporting {
                FingerprintWriter.lowerPriority()
                var configuration = try read.configuration(keepGoing: keepGoing)
                if let sample { configuration.sample = try SampleRate(parsing: sample) }
                let pageSize = configuration.pageSize
                let inputs = try ImagePaths.open(try ImagePaths.expand(paths), pageSize: pageSize, keepGoing: keepGoing)
                    + (try live.images(pageSize: pageSize) as [any PageSource])
                let names = inputs.map(FingerprintWriter.fileName(for:))
                if let repeated = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                    throw FingerprintError.duplicateName(repeated)
                }
                try FingerprintWriter.prepareFolder(out)
                let writer = FingerprintWriter(
                    configuration: configuration, rateLimit: rateLimit.map { Int($0 * 1_000_000) })
                let counter = ProgressCounter(total: inputs.reduce(0) { $0 + $1.pageCount })
                let bar = ProgressBar.start(counter: counter, label: "fingerprint", unitBytes: pageSize.bytes, quiet: read.quiet)
                defer { bar?.finish() }
                return try zip(inputs, names).map { input, name in
                    let path = (out.hasSuffix("/") ? out : out + "/") + name
                    return (path, try writer.write(input, to: path, progress: counter))
                }
            }
            var lines = ""
            for (path, header) in written {
                lines += "\(path): \(header.pages) pages, \(header.records) records, \(header.zeroRuns) zero runs, "
                    + "\(header.fileSize) bytes (\(String(format: "%.2f", Double(header.fileSize) / Double(max(1, header.pages)))) B/page)"
                    + (header.sampleEvery > 1 ? ", sampled 1/\(header.sampleEvery)" : "") + "\n"
            }
            try ReportDestination.standardOutput.write(lines)
        }
    }
}
