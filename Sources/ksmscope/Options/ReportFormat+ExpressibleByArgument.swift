import ArgumentParser
import KSMScope

extension ReportFormat: ExpressibleByArgument {}
