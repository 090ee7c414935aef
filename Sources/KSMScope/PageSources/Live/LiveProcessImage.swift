#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A running process's memory as an image: the mappings chosen by a ``LiveMemorySelection``,
/// read in address order through `/proc/PID/mem`.
///
/// The process is never stopped, attached to or written: pages are copied out with `pread`
/// while it runs, so the image is **not an atomic snapshot**. Pages it changes during the read
/// are seen at different moments, and a page it unmaps (or all of them, when it exits) reads
/// as a skippable ``DumpError``, which `--keep-going` counts as unreadable. Pages the process
/// had never touched when the image was opened (`/proc/PID/pagemap`: neither present nor
/// swapped) are not read but taken as zero pages; reading a swapped-out page swaps it in.
///
/// What KSM already does for the process (`/proc/PID/ksm_stat`, `pagemap` and `kpageflags`)
/// is read when the image is opened, before any page, and kept in ``report``.
public struct LiveProcessImage: PageSource {
    public let path: String
    public let pageSize: PageSize
    public let pageCount: Int
    public let ignoredBytes: Int
    /// The process id.
    public let pid: Int32
    /// Where the pages come from and what KSM already does for the process.
    public let report: LiveProcessReport
    /// The open `/proc/PID/mem`.
    let memory: ProcessMemory
    /// The selected mappings as runs of whole pages, in address (and page) order.
    let runs: [Run]
    /// The image pages that were never touched when the image was opened (all their base pages
    /// neither present nor swapped); nil when none or unknown (pagemap unreadable).
    let untouched: PageBits?

    /// One mapping's whole pages.
    struct Run: Sendable {
        /// The address of its first page.
        var address: Int
        /// The image page index of its first page.
        var firstPage: Int
        /// Its number of whole pages.
        var pages: Int
    }

    /// Opens process `pid`.
    ///
    /// - Parameters:
    ///   - pid: the process.
    ///   - path: the image's name in reports; `pid:PID` if nil.
    ///   - name: a guest name to report (QEMU's `-name`).
    ///   - selection: which mappings to read.
    ///   - pageSize: the scan's page size; a mapping's bytes after its last whole page are
    ///     ignored (only when it is larger than the kernel's base page).
    ///   - isQEMU: whether the process was found as a QEMU process (for error messages).
    /// - Throws: ``LiveProcessError`` when the process does not exist, may not be read, or has
    ///   no memory the selection accepts.
    public init(
        pid: Int32, path: String? = nil, name: String? = nil, selection: LiveMemorySelection, pageSize: PageSize,
        isQEMU: Bool = false
    ) throws(LiveProcessError) {
        guard pid > 0, access("/proc/\(pid)", F_OK) == 0 else { throw .noSuchProcess(pid: pid) }
        let mapsText = try Self.read(pid: pid, file: "maps")
        let mappings = ProcessMapping.parse(maps: mapsText)
        let mergeable: Set<Int>
        do {
            mergeable = ProcessMapping.mergeableStarts(smaps: try ProcFiles.text("/proc/\(pid)/smaps"))
        } catch {
            guard !selection.mergeableOnly else {
                throw LiveProcessError(error, pid: pid, file: "/proc/\(pid)/smaps")
            }
            mergeable = []
        }
        let selected = selection.select(mappings, mergeable: mergeable)
        guard !selected.isEmpty else {
            guard access("/proc/\(pid)", F_OK) == 0 else { throw .noSuchProcess(pid: pid) }
            guard !mappings.isEmpty else { throw .noMemory(pid: pid) }
            throw .noSelectedMemory(
                pid: pid, minimumBytes: selection.minimumBytes, mergeableOnly: selection.mergeableOnly, qemu: isQEMU)
        }
        let descriptor = Glibc.open("/proc/\(pid)/mem", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LiveProcessError(ProcFiles.Failure(code: errno), pid: pid, file: "/proc/\(pid)/mem")
        }
        memory = ProcessMemory(descriptor: descriptor)

        // What KSM already does, and which pages were never touched, before any read.
        var notes: [String] = []
        let ksmStat = (try? ProcFiles.text("/proc/\(pid)/ksm_stat")).map(LiveProcessReport.KSMStat.init(text:))
        if ksmStat == nil { notes.append("/proc/\(pid)/ksm_stat unreadable (kernel without KSM, or older than 6.1)") }
        let (residency, residencyProblem) = PageResidency.read(pid: pid, mappings: selected)
        if let residencyProblem { notes.append(residencyProblem) }

        var runs: [Run] = []
        var pages = 0
        var ignored = 0
        for mapping in selected {
            let count = mapping.size / pageSize.bytes
            if count > 0 { runs.append(Run(address: mapping.start, firstPage: pages, pages: count)) }
            pages += count
            ignored += mapping.size % pageSize.bytes
        }
        self.pid = pid
        self.path = path ?? "pid:\(pid)"
        self.pageSize = pageSize
        self.runs = runs
        pageCount = pages
        ignoredBytes = ignored
        untouched = residency.flatMap { Self.untouchedPages($0.untouchedBits, of: selected, pageSize: pageSize.bytes) }
        if let note = residency?.note { notes.append(note) }
        let command = (try? ProcFiles.text("/proc/\(pid)/comm")).map { String($0.filter { $0 != "\n" }) } ?? ""
        report = LiveProcessReport(
            pid: pid, command: command, name: name, atomic: false, minMappingSize: selection.minimumBytes,
            mergeableOnly: selection.mergeableOnly,
            mappings: selected.map { .init(start: $0.start, end: $0.end, mergeable: mergeable.contains($0.start)) },
            ksmStat: ksmStat, residentPages: residency?.resident, swappedPages: residency?.swapped,
            untouchedPages: residency?.untouched, alreadyMergedPages: residency?.ksm,
            zeroPageMappedPages: residency?.zeroPage, notes: notes)
    }

    public func makeReader() -> any PageReader {
        Reader(memory: memory, runs: runs, untouched: untouched, pageSize: pageSize.bytes, path: path)
    }

    /// Reads `/proc/PID/FILE` as text, turning failures into ``LiveProcessError``.
    private static func read(pid: Int32, file: String) throws(LiveProcessError) -> String {
        do {
            return try ProcFiles.text("/proc/\(pid)/\(file)")
        } catch {
            throw LiveProcessError(error, pid: pid, file: "/proc/\(pid)/\(file)")
        }
    }
}
