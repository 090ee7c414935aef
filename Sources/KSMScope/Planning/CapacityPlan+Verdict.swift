extension CapacityPlan {
    /// The plan in one sentence: what KSM adds to the host, counted safely, and the Nova setting;
    /// a sampled plan says it is an estimate.
    func makeVerdict() -> String {
        guard let sample else { return exactVerdict() }
        return exactVerdict()
            + " Estimated from a 1/\(sample.every) sample of the contents: guests are counted on the low end of each saving's 95 % confidence interval."
    }

    private func exactVerdict() -> String {
        let fit = guestsFit
        let memory = Figures.bytes(host.hostMemory)
        guard fit.withKSMUnderChurn > fit.withoutKSM else {
            return "KSM adds no guest to this \(memory) host: \(fit.withoutKSM) of these guests fit with or without it"
                + " once copy-on-write churn and \(Figures.number(host.headroomPercent)) % headroom are counted;"
                + " set \(ratioSetting)."
        }
        let gain = Double(fit.withKSMUnderChurn - fit.withoutKSM) * 100 / Double(max(1, fit.withoutKSM))
        return "KSM lets this \(memory) host run \(fit.withKSMUnderChurn) of these guests instead of \(fit.withoutKSM)"
            + " (+\(String(format: "%.0f", gain)) %), counting only the saving that survives churn less"
            + " \(Figures.number(host.headroomPercent)) % headroom; set \(ratioSetting)"
            + (overcommit.swapNeededBytes > 0
                ? " and keep \(Figures.bytes(overcommit.swapNeededBytes)) of swap for the day KSM stops." : ".")
    }

    /// The Nova setting, and what it really admits when two decimals cannot express the count
    /// (guests small beside their overhead, whose flavor memory Nova counts without it).
    private var ratioSetting: String {
        let setting = "ram_allocation_ratio = \(String(format: "%.2f", ramAllocationRatio))"
        let planned = guestsFit.withKSMUnderChurn
        guard nova.guestsAdmitted != planned else { return setting }
        return setting + " (Nova then admits \(nova.guestsAdmitted) of them, not \(planned): two decimals cannot say it)"
    }
}
