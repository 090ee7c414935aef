import ArgumentParser
import Foundation
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope partition`: one hash-range job of a distributed scan.
    struct Partition: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one partition job of a scan and write its partial result (for Dask and other schedulers).",
            discussion: """
                Reads every input (fingerprint files or images) and folds only the contents of hash range \
                --index of --count (job 0 also counts the zero pages). The result goes to --out atomically \
                (a temporary name renamed into place), so a retried job replaces, never adds. 'ksmscope combine' \
                merges the results of all jobs into the report 'ksmscope scan' gives for the same inputs.
                """
        )

        @OptionGroup var scan: ScanOptions

        @Option(name: .customLong("index"), help: ArgumentHelp("This job's partition, from 0.", valueName: "i"))
        var index: Int

        @Option(name: .customLong("count"), help: ArgumentHelp("Partitions in the run.", valueName: "n"))
        var count: Int

        @Option(name: .customLong("out"), help: ArgumentHelp("File for the partial result (JSON).", valueName: "file"))
        var out: String

        @Option(name: .customLong("domains"), help: "File of 'PATH-OR-GLOB DOMAIN' lines: adds the domain merge policy.")
        var domains: String?

        func validate() throws {
            guard count >= 1 else { throw ValidationError("--count \(count): must be at least 1") }
            guard index >= 0, index < count else { throw ValidationError("--index \(index): must be from 0 to \(count - 1)") }
        }

        func run() throws {
            try CommandFailure.reporting {
                let configuration = try scan.configuration()
                let inputs = try ImagePaths.open(
                    try ImagePaths.expand(scan.paths), pageSize: configuration.pageSize, keepGoing: configuration.keepGoing)
                let rules = try domains.map { try MergeDomains.rules(fromFile: $0) }
                let engine = FingerprintScan(
                    configuration: configuration, tunables: try scan.tunables(),
                    domains: rules.map { MergeDomains(rules: $0, images: inputs.map(\.path)) })
                let counter = ProgressCounter(total: inputs.reduce(0) { $0 + $1.pageCount })
                let bar = ProgressBar.start(counter: counter, label: "partition", unitBytes: scan.pageSize, quiet: scan.quiet)
                defer { bar?.finish() }
                try PartialScan(index: index, of: count, inputs: inputs, engine: engine, progress: counter).write(to: out)
            }
        }
    }
}
