extension SimulationReport {
    /// The full-scan samples as CSV, one row per full scan, columns as in the JSON samples.
    public var csv: String {
        var out = SimulationSample.columns.joined(separator: ",") + "\n"
        for sample in samples {
            let fields: [String] = [
                "\(sample.tSeconds)", "\(sample.fullScans)", "\(sample.pagesScanned)", "\(sample.pagesShared)",
                "\(sample.pagesSharing)", "\(sample.pagesUnshared)", "\(sample.pagesVolatile)",
                "\(sample.pagesSkipped)",
                "\(sample.ksmZeroPages)", "\(sample.stableNodeChains)", "\(sample.stableNodeDups)",
                "\(sample.generalProfit)", "\(sample.ksmdCPUSeconds)", "\(sample.pagesToScan)", "\(sample.cowKSM)",
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}
