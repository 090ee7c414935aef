@testable import KSMScope

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What every fuzz target does with one input: write it to a file, open it with one parser,
/// read pages and scan it. Parsers may reject an input only with ``DumpError`` or
/// ``ImageError``; anything else (a trap, an out-of-bounds access caught by ASan, another
/// error type, a broken invariant) is a finding.
public enum Harness {
    /// The parsers, one per fuzz target.
    public enum Target: String, CaseIterable, Sendable {
        case elf, kdump, lime, detect
    }

    /// The page size of the harnesses: small, so inputs stay small.
    public static let pageSize = PageSize(uncheckedBytes: 512)

    /// Where each input is written; one file per process, overwritten each time.
    static let inputPath: String = {
        let folder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        return "\(folder)/ksmscope-fuzz-\(getpid()).input"
    }()

    /// Opens the input file with `target`'s parser.
    static func open(_ target: Target, path: String, keepGoing: Bool) throws -> any PageSource {
        switch target {
        case .elf: try ElfCoreImage(path: path, pageSize: pageSize, keepGoing: keepGoing)
        case .kdump: try KdumpImage(path: path, pageSize: pageSize)
        case .lime: try LimeImage(path: path, pageSize: pageSize)
        case .detect: try ImageFormat.open(path, pageSize: pageSize, keepGoing: keepGoing)
        }
    }

    /// Runs one input through `target` (the body of `LLVMFuzzerTestOneInput`).
    public static func run(_ target: Target, _ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let input = UnsafeRawBufferPointer(start: data, count: size)
        guard write(input, to: inputPath) else { fatalError("cannot write \(inputPath)") }
        // The last byte picks keep-going for the ELF parser, so both paths are fuzzed.
        let keepGoing = (input.last ?? 0) & 1 == 1
        do {
            let image = try open(target, path: inputPath, keepGoing: keepGoing)
            try exercise(image)
        } catch let error as DumpError {
            check(error)
        } catch let error as ImageError {
            precondition(!error.description.isEmpty)
        } catch {
            fatalError("\(target) parser threw an unexpected error: \(error)")
        }
        return 0
    }

    /// Checks that a thrown error is whole: a miscompiled throw (a "phantom" error that was never
    /// constructed) shows up here as garbage, not later in the user's terminal.
    static func check(_ error: DumpError) {
        precondition(error.path == inputPath, "error names another file: \(error.path)")
        precondition(error.offset >= 0, "negative error offset \(error.offset)")
        precondition(!error.problem.isEmpty && error.description.hasPrefix(inputPath), "malformed error")
    }

    /// Reads a sample of pages twice (they must not change), then scans small images whole.
    static func exercise(_ image: any PageSource) throws {
        precondition(image.pageCount >= 0 && image.ignoredBytes >= 0, "negative counts")
        let count = image.pageCount
        var pages = Array(0..<min(count, 48))
        if count > 48 {
            pages += stride(from: 48, to: count, by: max(1, count / 48)).map { $0 }
            pages += Array(max(48, count - 16)..<count)
        }
        let first = try image.makeReader()
        let second = try image.makeReader()
        for page in pages {
            let bytes: UnsafeRawBufferPointer
            do {
                bytes = try first.page(page)
            } catch let error as DumpError {
                check(error)
                precondition(error.skippable, "a page read failed with a structural error: \(error)")
                continue
            }
            precondition(bytes.count == pageSize.bytes, "page \(page) has \(bytes.count) bytes")
            let again = try second.page(page)
            precondition(
                memcmp(bytes.baseAddress!, again.baseAddress!, bytes.count) == 0, "page \(page) reads differently twice"
            )
        }
        guard count <= 4096 else { return }
        // As `scan --keep-going` would, then as plain `scan` on two threads.
        let configuration = ScanConfiguration(
            pageSize: pageSize, threads: 1, recentContentBudget: 1 << 20, keepGoing: true)
        let report = try SteadyStateScan(configuration: configuration).run([image])
        precondition(
            report.pages + report.unreadablePages == count,
            "scanned \(report.pages) + \(report.unreadablePages) of \(count) pages")
        do {
            let strict = ScanConfiguration(pageSize: pageSize, threads: 2, recentContentBudget: 1 << 20)
            let again = try SteadyStateScan(configuration: strict).run([image])
            precondition(report.unreadablePages == 0 && again == report, "a scan without keep-going differs")
        } catch let error as DumpError {
            check(error)
            precondition(error.skippable && report.unreadablePages > 0, "a scan failed on a page keep-going read")
        }
    }

    /// Runs the input in `file` through `target`, as libFuzzer would.
    public static func replay(_ target: Target, file: String) {
        let descriptor = Glibc.open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { fatalError("cannot open \(file)") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            guard got > 0 else { break }
            bytes += chunk[0..<got]
        }
        _ = bytes.withUnsafeBufferPointer { run(target, $0.baseAddress, $0.count) }
    }

    /// The regular files at `path`: the path itself, or the files directly in a folder; none
    /// when nothing is there.
    public static func files(at path: String) -> [String] {
        guard access(path, R_OK) == 0 else { return [] }
        guard let folder = opendir(path) else { return [path] }
        defer { closedir(folder) }
        var files: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if entry.pointee.d_type == UInt8(DT_REG) { files.append(path + "/" + name) }
        }
        return files.sorted()
    }

    /// Writes `bytes` over the file at `path`.
    static func write(_ bytes: UnsafeRawBufferPointer, to path: String) -> Bool {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            guard written > 0 else { return false }
            done += written
        }
        return true
    }
}
