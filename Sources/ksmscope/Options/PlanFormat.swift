import ArgumentParser

/// The forms `ksmscope plan` prints in: the three of every report, and a self-contained HTML
/// report.
enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv, html
}
