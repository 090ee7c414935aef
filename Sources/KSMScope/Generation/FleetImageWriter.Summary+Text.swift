import Foundation

extension FleetImageWriter.Summary {
    /// The short summary `ksmscope generate` prints: what was written, how fast, the counts
    /// expected at the first and last snapshot, and the scan command that must find them (with
    /// the tunables the counts are for, so that it does).
    public func text(plan: FleetPlan) -> String {
        let gib = Double(1 << 30)
        let rate = seconds > 0 ? Double(imageBytes) / gib / seconds : 0
        var text = "ksmscope generate: \(plan.guests.count) guest(s), \(images) image(s) in \(directory): "
        text += String(
            format: "%.1f MiB (%.1f MiB non-zero) in %.2f s, %.2f GiB/s\n",
            Double(imageBytes) / 1_048_576, Double(writtenBytes) / 1_048_576, seconds, rate)
        let steps = expected.timelineSteps
        for set in expected.sets where set.step == 0 || set.step == steps {
            text += "expected at t\(set.step): \(set.pages) pages, \(set.zeroPages) zero, "
            text += "\(set.distinctContents) distinct"
            text += String(
                format: ", pages_sharing %d (%.1f%%); non-zero pages saved %.1f%%\n", set.pagesSharing,
                set.sharingPercent, set.nonZeroSavedPercent)
        }
        var options = plan.pageSize == 4096 ? "" : " --page-size \(plan.pageSize)"
        let tunables = expected.sets.first?.tunables ?? .defaults
        if tunables.maxPageSharing != KSMTunables.defaults.maxPageSharing {
            options += " --max-page-sharing \(tunables.maxPageSharing)"
        }
        if tunables.useZeroPages { options += " --use-zero-pages" }
        let pattern = steps > 0 ? "*.t0.img" : "*.img"
        text += "check with: ksmscope scan\(options) \(directory)/\(pattern)  (counts in expected.json)\n"
        return text
    }
}
