import ArgumentParser
import KSMScope

extension MergePolicy: ExpressibleByArgument {}

extension KSMScopeCommand {
    /// `ksmscope plan`: how many guests fit on a host with KSM, and which guests share a host.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan a host's (or a fleet's) capacity with KSM: guests that fit, the Nova setting, the risks.",
            discussion: """
                Each input is one guest, in order: an image or dump, a folder of them, a timeline.json (or \
                --timeline NAME=FILE0,FILE1,... with --step-scans K), or a live process (--pid, --qemu). Guests are \
                added to the host in input order, cycling through the inputs beyond the last. With a timeline the \
                saving counted on is the lowest ksmd keeps after converging under the guests' writes (simulated), \
                less --headroom percent. With --profile (from 'ksmscope calibrate') ksmd's settings are swept as \
                'ksmscope tune' does and the plan adds the recommended setting and its CPU cost. Sizes take K, M, G \
                and T suffixes (powers of 1024).

                Beyond --memory-limit (ksmd's simulator keeps 48 bytes a page) the steady state is folded through \
                the fingerprint engine's partitions under --temp-dir and the simulated parts (convergence, a \
                timeline's churn, CPU) are left out with a note. --sample 1/N estimates the plan from a slice of the \
                contents: savings with 95 % confidence intervals, guests counted on the low ends, huge pages and \
                the simulation left out.
                """
        )

        // MARK: The host

        @Option(
            name: .customLong("host-memory"), parsing: .unconditional,
            help: ArgumentHelp("Physical memory of the host, e.g. 256G.", valueName: "size"))
        var hostMemory: ByteCount

        @Option(
            name: .customLong("reserved"), parsing: .unconditional,
            help: ArgumentHelp("Memory kept for the host itself (Nova's reserved_host_memory_mb; default 512M).", valueName: "size"))
        var reserved: ByteCount?

        @Option(
            name: .customLong("guest-overhead"), parsing: .unconditional,
            help: ArgumentHelp(
                "Memory each guest costs beyond its own (QEMU; default 512M, Red Hat OSP 13's sizing example).",
                valueName: "size"))
        var guestOverhead: ByteCount?

        @Option(
            name: .customLong("headroom"), parsing: .unconditional,
            help: ArgumentHelp("Percent of KSM's saving not counted on (default 10).", valueName: "percent"))
        var headroom: Double = HostSpec.defaultHeadroomPercent

        @Option(
            name: .customLong("hosts"), parsing: .unconditional,
            help: ArgumentHelp("Place the guests on N hosts of --host-memory each.", valueName: "n"))
        var hosts: Int?

        // MARK: Merging

        @Option(name: .customLong("policy"), help: "Merge policy: all, intra_image, zero_only or domain.")
        var policy: MergePolicy = .all

        @Option(name: .customLong("domains"), help: "File of 'PATH-OR-GLOB DOMAIN' lines (the domain policy).")
        var domains: String?

        @OptionGroup(title: "Merge tunables") var merge: MergeOptions

        @OptionGroup(title: "ksmd tunables (simulated for convergence and churn)") var ksmd: KsmdOptions

        @OptionGroup var profile: ProfileOptions

        @OptionGroup var timeline: TimelineOptions

        @OptionGroup var live: LiveOptions

        // MARK: Input and output

        @OptionGroup var read: ReadOptions

        @OptionGroup var scale: ScaleOptions

        @Option(name: .customLong("format"), help: "Output format: text, json, csv or html (a self-contained report).")
        var format: PlanFormat = .text

        @Option(name: .customLong("out"), help: ArgumentHelp("Write the report to FILE instead of standard output.", valueName: "file"))
        var out: String?

        @Argument(help: "Guests: image files, folders of images, timeline.json manifests (or folders holding one).")
        var inputs: [String] = []

        func validate() throws {
            guard !inputs.isEmpty || !timeline.timelines.isEmpty || live.namesImages else {
                throw ValidationError("name at least one guest: an image, folder, timeline.json, --timeline, --pid or --qemu")
            }
            if let hosts, hosts < 1 { throw ValidationError("--hosts \(hosts): must be at least 1") }
            if policy == .domain, domains == nil { throw ValidationError("--policy domain needs --domains FILE") }
            try timeline.requireStepScans()
            do { _ = try host() } catch { throw ValidationError("\(error)") }
        }

        /// The host these options describe.
        func host() throws(PlanError) -> HostSpec {
            try HostSpec(
                hostMemory: hostMemory.bytes, reserved: reserved?.bytes ?? HostSpec.defaultReserved,
                guestOverhead: guestOverhead?.bytes ?? HostSpec.defaultGuestOverhead, headroomPercent: headroom)
        }

        func run() throws {
            let plan = try CommandFailure.reporting {
                let configuration = try scale.configuration(reading: read)
                let pricing = try profile.path.map { _ in try profile.load(pageSize: read.pageSize) }
                let costs = pricing ?? .builtIn
                let job = CapacityPlanning(
                    host: try host(), policy: policy,
                    domainRules: try domains.map { try MergeDomains.rules(fromFile: $0) },
                    simulation: KSMSimulation(
                        tunables: try ksmd.tunables(merging: try merge.tunables(), defaultHZ: costs.host.hz),
                        kernel: ksmd.kernelVersion, profile: costs, configuration: configuration),
                    hosts: hosts, pricing: pricing)
                var guests = try timeline.inputs(paths: inputs).guests(pageSize: read.pageSize)
                var images = try job.openImages(guests)
                for process in try live.images(pageSize: configuration.pageSize) {
                    guests.append(SimulatedGuest(name: process.path, snapshots: [.init(path: process.path, trigger: .start)]))
                    images.append(process)
                }
                let counter = ProgressCounter(total: images.reduce(0) { $0 + $1.pageCount })
                var bar = ProgressBar.start(counter: counter, label: "read", unitBytes: read.pageSize, quiet: read.quiet)
                defer { bar?.finish() }
                return try job.run(guests: guests, images: images, progress: counter) {
                    bar?.finish()
                    bar = nil
                }
            }
            let destination = ReportDestination(out)
            switch format {
            case .text: try destination.write(plan.text)
            case .json: try destination.write(try ReportJSON.encode(plan))
            case .csv: try destination.write(try plan.csv())
            case .html: try destination.write(plan.html)
            }
        }
    }
}
