/// The forms a report can be printed in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, csv
}

