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
                throw Self.classify(error, pid: pid, file: "/proc/\(pid)/smaps")
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
        let descriptor = open("/proc/\(pid)/mem", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Self.classify(ProcFiles.Failure(code: errno), pid: pid, file: "/proc/\(pid)/mem")
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

    /// Opens every running QEMU process (``QEMUProcesses/find()``) as `qemu:PID:NAME` (or
    /// `qemu:PID` when unnamed), in pid order.
    ///
    /// - Throws: ``LiveProcessError/noQEMUProcesses`` when there is none, or the first error
    ///   opening one (a process that exits before it is opened is left out).
    public static func qemuProcesses(selection: LiveMemorySelection, pageSize: PageSize) throws(LiveProcessError)
        -> [LiveProcessImage]
    {
        var images: [LiveProcessImage] = []
        for process in QEMUProcesses.find() {
            let path = "qemu:\(process.pid)" + (process.name.map { ":\($0)" } ?? "")
            do {
                images.append(
                    try LiveProcessImage(
                        pid: process.pid, path: path, name: process.name, selection: selection, pageSize: pageSize,
                        isQEMU: true))
            } catch .noSuchProcess {
                continue
            }
        }
        guard !images.isEmpty else { throw .noQEMUProcesses }
        return images
    }

    public func makeReader() -> any PageReader {
        Reader(memory: memory, runs: runs, untouched: untouched, pageSize: pageSize.bytes, path: path)
    }

    /// Turns never-touched base pages (numbered over `mappings`) into never-touched image pages.
    private static func untouchedPages(_ bases: PageBits, of mappings: [ProcessMapping], pageSize: Int) -> PageBits? {
        guard !bases.isEmpty else { return nil }
        let basePage = Int(sysconf(Int32(_SC_PAGESIZE)))
        var pages = PageBits(count: mappings.reduce(0) { $0 + $1.size / pageSize })
        var firstBase = 0
        var firstPage = 0
        for mapping in mappings {
            let count = mapping.size / pageSize
            for page in 0..<count {
                let low = firstBase + page * pageSize / basePage
                let high = firstBase + ((page + 1) * pageSize - 1) / basePage
                if (low...high).allSatisfy({ bases[$0] }) { pages.insert(firstPage + page) }
            }
            firstBase += (mapping.size + basePage - 1) / basePage
            firstPage += count
        }
        return pages
    }

    /// Reads `/proc/PID/FILE` as text, turning failures into ``LiveProcessError``.
    private static func read(pid: Int32, file: String) throws(LiveProcessError) -> String {
        do {
            return try ProcFiles.text("/proc/\(pid)/\(file)")
        } catch {
            throw classify(error, pid: pid, file: "/proc/\(pid)/\(file)")
        }
    }

    /// The error for a failed open or read of a process's `/proc` file.
    private static func classify(_ failure: ProcFiles.Failure, pid: Int32, file: String) -> LiveProcessError {
        switch failure.code {
        case ENOENT, ESRCH: .noSuchProcess(pid: pid)
        case EACCES, EPERM:
            .permissionDenied(pid: pid, file: file, reason: failure.reason, hint: LiveProcessError.ptraceHint(pid: pid))
        default: .cannotRead(pid: pid, file: file, reason: failure.reason)
        }
    }

    /// Copies pages out of the process: sequential requests fill a 1 MiB window with one
    /// `pread`, others read one page, so random comparisons stay cheap. Pages never touched are
    /// not read but handed out as zeros, which is what reading them would give: reading would
    /// map the zero page into the process and copy zeros, for every idle page of a large guest.
    final class Reader: PageReader {
        let memory: ProcessMemory
        let runs: [Run]
        let untouched: PageBits?
        let zero: UnsafeMutableRawBufferPointer
        let pageSize: Int
        let path: String
        /// The window's capacity in pages.
        let capacity: Int
        let window: UnsafeMutableRawBufferPointer
        /// The image page in the window's first slot, and how many pages it holds.
        var first = 0
        var held = 0
        /// The page after the last one asked for.
        var next = -1

        /// The window's size in bytes.
        static let windowBytes = 1 << 20

        init(memory: ProcessMemory, runs: [Run], untouched: PageBits?, pageSize: Int, path: String) {
            self.memory = memory
            self.runs = runs
            self.untouched = untouched
            self.pageSize = pageSize
            self.path = path
            capacity = max(1, Self.windowBytes / pageSize)
            window = .allocate(byteCount: capacity * pageSize, alignment: 4096)
            zero = .allocate(byteCount: pageSize, alignment: 4096)
            zero.initializeMemory(as: UInt8.self, repeating: 0)
        }

        deinit {
            window.deallocate()
            zero.deallocate()
        }

        func page(_ index: Int) throws -> UnsafeRawBufferPointer {
            let sequential = index == next
            next = index + 1
            if index < first || index >= first + held {
                if let untouched, untouched[index] { return UnsafeRawBufferPointer(zero) }
                let run = runs[run(containing: index)]
                let offset = index - run.firstPage
                var pages = sequential ? min(capacity, run.pages - offset) : 1
                if let untouched, let gap = (index + 1..<index + pages).first(where: { untouched[$0] }) {
                    pages = gap - index
                }
                try fill(from: index, address: run.address + offset * pageSize, pages: pages)
            }
            let start = (index - first) * pageSize
            return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(window)[start..<start + pageSize])
        }

        /// Reads `pages` pages from `address` into the window, as image page `index` on; keeps
        /// what a short read gave when it covers page `index`.
        private func fill(from index: Int, address: Int, pages: Int) throws {
            held = 0
            let bytes = UnsafeMutableRawBufferPointer(rebasing: window[0..<pages * pageSize])
            let got: Int
            do {
                got = try ProcFiles.readFully(memory.descriptor, into: bytes, at: address)
            } catch {
                if pages > 1 { return try fill(from: index, address: address, pages: 1) }
                throw DumpError(
                    path: path, offset: index * pageSize,
                    problem: "cannot read address 0x\(String(address, radix: 16)): \(error.reason) (the process changed or unmapped this memory while it was read)",
                    skippable: true)
            }
            guard got >= pageSize else {
                if pages > 1, got == 0 { return try fill(from: index, address: address, pages: 1) }
                throw DumpError(
                    path: path, offset: index * pageSize,
                    problem: "cannot read address 0x\(String(address, radix: 16)): the process exited or unmapped this memory during the scan",
                    skippable: true)
            }
            first = index
            held = got / pageSize
        }

        /// The run holding image page `index`.
        private func run(containing index: Int) -> Int {
            var low = 0
            var high = runs.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if runs[middle].firstPage <= index { low = middle } else { high = middle - 1 }
            }
            return low
        }
    }
}

/// An open `/proc/PID/mem`, closed when the last image and reader using it are gone.
///
/// `pread` on one descriptor is safe from any number of threads; the descriptor stays bound to
/// the process it was opened for even if the pid is reused.
final class ProcessMemory: Sendable {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }
}
