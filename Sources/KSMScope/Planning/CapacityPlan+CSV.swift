extension CapacityPlan {
    /// The plan as CSV: one row `path,value` per figure of the JSON (`guests_fit.with_ksm`,
    /// `sharing_curve[0].saved_bytes`, …), so both carry the same figures.
    public func csv() throws -> String { try ReportCSV.flattened(self) }
}
