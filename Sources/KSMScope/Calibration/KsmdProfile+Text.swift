import Foundation

extension KsmdProfile {
    /// The profile for people: where it comes from, every coefficient, the sleeps, and how well
    /// the fit reproduces what the kernel did.
    public var text: String {
        var out = "ksmd cost profile (\(Self.formatName)): \(summary)\n"
        out += "host: \(host.cpuModel), \(host.cores) CPUs, kernel \(host.kernelRelease), HZ \(host.hz), "
        out += "\(host.pageSize)-byte pages"
        if let load = host.loadAverage { out += String(format: ", load average %.2f when measured", load) }
        out += "\n"
        switch method {
        case .kernel: break
        case .userspaceEstimate:
            out += "ESTIMATE: the real ksmd could not be measured here; the built-in coefficients are scaled by this "
            out += "host's userspace page timings against the development machine's.\n"
        case .builtIn: out += "BUILT-IN: fitted on the development machine, not measured on this host.\n"
        }
        out += "\n"
        var rows = [["coefficient", "value", "how"]]
        let fitted = Set(fit?.fitted ?? [])
        for step in KSMCostProfile.Step.allCases {
            let how = method != .kernel ? method.rawValue : fitted.contains(step.rawValue) ? "fitted" : "kept (not exercised)"
            rows.append([step.rawValue, String(format: "%.0f ns", costs[step]), how])
        }
        rows.append(["wake_latency_ns", String(format: "%.0f ns", costs.wakeLatency), method == .kernel ? "fitted" : method.rawValue])
        rows.append(["cpu_availability", String(format: "%.2f", costs.cpuAvailability), method == .kernel ? "fitted" : method.rawValue])
        out += Figures.table(rows)
        if let userspace {
            out += String(
                format: "\nuserspace on this host: XXH64 %.0f ns, memcmp equal %.0f ns, differing %.0f ns per page\n",
                userspace.xxh64PageNanoseconds, userspace.memcmpEqualPageNanoseconds,
                userspace.memcmpDifferingPageNanoseconds)
        }
        if !sleeps.isEmpty {
            out += "\nSleeps (batches of one page):\n"
            var rows = [["sleep_millisecs", "jiffies", "measured", "model"]]
            for sleep in sleeps {
                rows.append([
                    "\(sleep.sleepMillisecs)", "\(sleep.jiffies)", String(format: "%.2f ms", sleep.measuredSeconds * 1e3),
                    String(format: "%.2f ms", sleep.modelSeconds * 1e3),
                ])
            }
            out += Figures.table(rows)
        }
        if let fit {
            out += String(
                format: "\nFit: %d full scans (%d left out of the CPU fit as outliers); ksmd CPU per full scan off by "
                    + "%.1f%% (rms), %.1f%% at most; wall time by %.1f%% (rms), %.1f%% at most. %.0f s%@.\n",
                fit.rows, fit.outliers, fit.cpuRMSRelativeError * 100, fit.cpuMaxRelativeError * 100, fit.wallRMSRelativeError * 100,
                fit.wallMaxRelativeError * 100, fit.seconds, fit.quick ? " (--quick)" : "")
            if let spread = fit.cpuRepeatSpread, let repeats = fit.repeats {
                out += String(
                    format: "Repeats: %d passes over the plan; ksmd's CPU for the same full scan varied by %.1f%% (rms) "
                        + "between them: this host's own noise, which every prediction of ksmd's CPU here carries too.\n",
                    repeats, spread * 100)
            }
        }
        if !residuals.isEmpty {
            out += "\n"
            var rows = [["run", "full_scan", "cpu measured", "cpu model", "time measured", "time model"]]
            for residual in residuals {
                rows.append([
                    residual.run + (residual.repetition.map { " (pass \($0))" } ?? ""), "\(residual.fullScan)",
                    String(format: "%.2f ms", residual.measuredCPUSeconds * 1e3),
                    String(format: "%.2f ms", residual.modelCPUSeconds * 1e3),
                    String(format: "%.3f s", residual.measuredSeconds), String(format: "%.3f s", residual.modelSeconds),
                ])
            }
            out += Figures.table(rows)
        }
        return out
    }
}
