/// ksmtuned's loop (ksmtuned.sh, shipped with qemu-kvm on RHEL/Fedora and Debian's ksmtuned
/// package) at its default settings, on a host of given memory: when it runs ksmd, and with
/// what `pages_to_scan` and `sleep_millisecs`.
///
/// At start: `sleep = KSM_SLEEP_MSEC × 16 × 1024 × 1024 / MemTotal` (kB, integer; at least
/// 10 ms) and `thres = max(MemTotal × KSM_THRES_COEF / 100, KSM_THRES_CONST)`. Every
/// `KSM_MONITOR_INTERVAL` seconds (the first after one interval): `committed` is the qemu
/// processes' RSS and `free` is `MemFree + Buffers + Cached`. If `committed + thres < total`
/// and `free > thres`, it writes `run` 0 (ksmd stops; merged pages stay merged). Otherwise
/// `npages` (starting at 0) moves by `KSM_NPAGES_BOOST` when `free < thres`, else by
/// `KSM_NPAGES_DECAY`, clamped to `[KSM_NPAGES_MIN, KSM_NPAGES_MAX]`, and it writes
/// `pages_to_scan`, `sleep_millisecs` and `run` 1.
///
/// The model takes the guests' memory as the qemu RSS, and the free memory before KSM plus
/// what KSM has saved so far as `free`.
public struct KsmtunedModel: Sendable, Equatable {
    /// `KSM_MONITOR_INTERVAL`, seconds.
    public var monitorInterval = 60
    /// `KSM_NPAGES_BOOST`.
    public var npagesBoost = 300
    /// `KSM_NPAGES_DECAY`.
    public var npagesDecay = -50
    /// `KSM_NPAGES_MIN`.
    public var npagesMin = 64
    /// `KSM_NPAGES_MAX`.
    public var npagesMax = 1250
    /// `KSM_SLEEP_MSEC`: the sleep for a 16 GiB host, scaled by the host's memory.
    public var sleepMsec = 10
    /// `KSM_THRES_COEF`, percent of the host's memory.
    public var thresCoef = 20
    /// `KSM_THRES_CONST`, kB.
    public var thresConst = 2048

    /// `MemTotal`, bytes.
    public var hostMemoryBytes: Int
    /// `MemFree + Buffers + Cached` with the guests running and nothing merged yet, bytes.
    public var freeMemoryBytes: Int
    /// The guests' memory (the qemu processes' RSS), bytes.
    public var committedBytes: Int

    /// A model of ksmtuned's defaults on this host.
    public init(hostMemoryBytes: Int, freeMemoryBytes: Int, committedBytes: Int) {
        self.hostMemoryBytes = hostMemoryBytes
        self.freeMemoryBytes = freeMemoryBytes
        self.committedBytes = committedBytes
    }

    /// `MemTotal` and `MemFree + Buffers + Cached` of this machine, bytes, from `/proc/meminfo`.
    public static func hostMemory(procRoot: String = "/proc") -> (total: Int, free: Int)? {
        guard let text = try? String(contentsOfFile: procRoot + "/meminfo", encoding: .utf8) else { return nil }
        let info = MemInfo(text: text)
        guard let total = info.bytes("MemTotal") else { return nil }
        let free = ["MemFree", "Buffers", "Cached"].compactMap { info.bytes($0) }.reduce(0, +)
        return (total, free)
    }

    /// ksmtuned's `sleep_millisecs`.
    public var sleepMillisecs: Int {
        let total = max(1, hostMemoryBytes / 1024)
        let sleep = sleepMsec * 16 * 1024 * 1024 / total
        return sleep <= 10 ? 10 : sleep
    }

    /// ksmtuned's threshold, kB.
    public var thresholdKB: Int { max(hostMemoryBytes / 1024 * thresCoef / 100, thresConst) }

    /// One decision of the loop.
    public struct Decision: Sendable, Equatable, Codable {
        /// When, seconds after ksmtuned started.
        public var seconds: Double
        /// Whether ksmd runs from then on.
        public var run: Bool
        /// `pages_to_scan` written (when it runs).
        public var pagesToScan: Int?

        enum CodingKeys: String, CodingKey {
            case seconds, run
            case pagesToScan = "pages_to_scan"
        }
    }

    /// The loop's state: `npages`.
    public struct Loop: Sendable, Equatable {
        /// `npages`.
        public var npages = 0
    }

    /// `adjust()`: the decision at `seconds` with `savedBytes` merged so far.
    public func adjust(_ loop: inout Loop, seconds: Double, savedBytes: Int) -> Decision {
        let total = hostMemoryBytes / 1024
        let free = (freeMemoryBytes + savedBytes) / 1024
        let committed = committedBytes / 1024
        let thres = thresholdKB
        if committed + thres < total && free > thres {
            return Decision(seconds: seconds, run: false, pagesToScan: nil)
        }
        loop.npages += free < thres ? npagesBoost : npagesDecay
        loop.npages = min(max(loop.npages, npagesMin), npagesMax)
        return Decision(seconds: seconds, run: true, pagesToScan: loop.npages)
    }

    /// Why ksmtuned keeps ksmd stopped at the start, or nil when it starts it.
    public var stoppedReason: String? {
        let total = hostMemoryBytes / 1024
        let free = freeMemoryBytes / 1024
        let thres = thresholdKB
        guard committedBytes / 1024 + thres < total && free > thres else { return nil }
        return "ksmtuned keeps ksmd stopped: the guests' \(Figures.bytes(committedBytes)) plus its threshold "
            + "\(Figures.bytes(thres * 1024)) (\(thresCoef) % of \(Figures.bytes(hostMemoryBytes))) fit in the host, and "
            + "\(Figures.bytes(freeMemoryBytes)) is free, more than the threshold"
    }
}
