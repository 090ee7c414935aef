/// Predicted and kernel counters side by side, from ``KernelVerifier``.
public struct KernelComparison: Sendable, Equatable, Codable {
    /// One counter compared.
    public struct Row: Sendable, Equatable, Codable {
        /// The image path for per-process rows, nil for global counters.
        public var image: String?
        /// The counter's kernel name.
        public var counter: String
        public var predicted: Int
        public var kernel: Int
        /// Whether the two agree.
        public var matches: Bool { predicted == kernel }

        enum CodingKeys: String, CodingKey { case image, counter, predicted, kernel, matches }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(image, forKey: .image)
            try container.encode(counter, forKey: .counter)
            try container.encode(predicted, forKey: .predicted)
            try container.encode(kernel, forKey: .kernel)
            try container.encode(matches, forKey: .matches)
        }

        public init(image: String?, counter: String, predicted: Int, kernel: Int) {
            self.image = image
            self.counter = counter
            self.predicted = predicted
            self.kernel = kernel
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            image = try container.decodeIfPresent(String.self, forKey: .image)
            counter = try container.decode(String.self, forKey: .counter)
            predicted = try container.decode(Int.self, forKey: .predicted)
            kernel = try container.decode(Int.self, forKey: .kernel)
        }
    }

    /// Every compared counter: global ones first, then per process in input order.
    public var rows: [Row]
    /// Full scans ksmd had done when the counters were read.
    public var fullScans: Int
    /// Seconds ksmd needed to settle.
    public var seconds: Double

    /// Whether every counter agrees.
    public var matches: Bool { rows.allSatisfy(\.matches) }

    /// Compares a prediction with kernel readings (global counters and one ksm_stat per image).
    public init(predicted: ScanReport, kernel: KSMCounters, processes: [[String: Int]], seconds: Double) {
        let global: [(String, Int)] = [
            ("pages_shared", predicted.pagesShared), ("pages_sharing", predicted.pagesSharing),
            ("ksm_zero_pages", predicted.ksmZeroPages), ("stable_node_chains", predicted.stableNodeChains),
            ("stable_node_dups", predicted.stableNodeDups), ("general_profit", predicted.generalProfit),
        ]
        rows = global.map { Row(image: nil, counter: $0.0, predicted: $0.1, kernel: kernel[$0.0]) }
        for (image, stat) in zip(predicted.images, processes) {
            let fields: [(String, Int)] = [
                ("ksm_rmap_items", image.ksmRmapItems), ("ksm_merging_pages", image.ksmMergingPages),
                ("ksm_zero_pages", image.ksmZeroPages), ("ksm_process_profit", image.ksmProcessProfit),
            ]
            rows += fields.map { Row(image: image.path, counter: $0.0, predicted: $0.1, kernel: stat[$0.0] ?? 0) }
        }
        fullScans = kernel["full_scans"]
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case rows, matches, seconds
        case fullScans = "full_scans"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(matches, forKey: .matches)
        try container.encode(fullScans, forKey: .fullScans)
        try container.encode(seconds, forKey: .seconds)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rows = try container.decode([Row].self, forKey: .rows)
        fullScans = try container.decode(Int.self, forKey: .fullScans)
        seconds = try container.decode(Double.self, forKey: .seconds)
    }

    /// A side-by-side table.
    public var text: String {
        var table = [["image", "counter", "predicted", "kernel", ""]]
        for row in rows {
            table.append([row.image ?? "(global)", row.counter, "\(row.predicted)", "\(row.kernel)", row.matches ? "ok" : "MISMATCH"])
        }
        let verdict = matches ? "all counters match" : "MISMATCH: \(rows.filter { !$0.matches }.count) counter(s) differ"
        return Figures.table(table) + "\nksmd settled after \(fullScans) full scans in \(String(format: "%.1f", seconds)) s: \(verdict)\n"
    }
}
