import ArgumentParser
import KSMScope

extension KSMScopeCommand {
    /// `ksmscope combine`: the partition jobs' results as one report.
    struct Combine: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the partial results of every partition job into the report of the whole scan.",
            discussion: "Refuses results of different runs, a job given twice, and missing jobs."
        )

        @Option(name: .customLong("format"), help: "Output format: text, json or csv (per-image table).")
        var format: ReportFormat = .text

        @Argument(help: "Partial results written by 'ksmscope partition --out'.")
        var results: [String] = []

        func validate() throws {
            guard !results.isEmpty else { throw ValidationError("name the partial results to combine") }
        }

        func run() throws {
            let report = try CommandFailure.reporting {
                try PartialScan.combine(try results.map { ($0, try PartialScan.read($0)) })
            }
            switch format {
            case .text: try ReportDestination.standardOutput.write(report.text)
            case .json: try ReportDestination.standardOutput.write(try ReportJSON.encode(report))
            case .csv: try ReportDestination.standardOutput.write(report.csv)
            }
        }
    }
}
