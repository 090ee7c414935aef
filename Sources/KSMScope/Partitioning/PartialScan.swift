import Foundation

/// The result of one partition job (`ksmscope partition`): the tally of the contents in one
/// hash range of the inputs (job 0 also holds the zero pages). `ksmscope combine` merges the
/// jobs of a run into exactly the report `ksmscope scan` gives for the same inputs.
public struct PartialScan: Sendable, Equatable, Codable {
    /// Format name and version.
    public var format = PartialScan.formatName
    /// The job's index.
    public var index: Int
    /// Jobs in the run.
    public var count: Int
    /// Bytes a page.
    public var pageSize: Int
    /// N of the sample in effect.
    public var sampleEvery: Int
    /// The inputs, in scan order.
    public var images: [ImageSummary]
    /// Unreadable pages per input (the same in every job).
    public var unreadablePages: [Int]
    /// The job's tally.
    public var tally: SteadyStateTally

    /// The `format` value of version 1.
    public static let formatName = "ksmscope-partial/1"

    enum CodingKeys: String, CodingKey {
        case format, index, count, images, tally
        case pageSize = "page_size"
        case sampleEvery = "sample_every"
        case unreadablePages = "unreadable_pages"
    }

    /// Runs job `index` of `count` over `inputs` with `engine`.
    public init(index: Int, of count: Int, inputs: [any PageSource], engine: FingerprintScan, progress: ProgressCounter? = nil)
        throws
    {
        let outcome = try engine.runJob(index: index, of: count, inputs: inputs, progress: progress)
        self.index = index
        self.count = count
        pageSize = engine.configuration.pageSize.bytes
        sampleEvery = outcome.sample.every
        images = inputs.map(ImageSummary.init)
        unreadablePages = outcome.unreadablePages
        tally = outcome.tally
    }

    /// Writes the result as JSON to `path` atomically: a hidden temporary file renamed into
    /// place, so a job that fails or runs twice never leaves half a result.
    ///
    /// - Throws: ``PartitionError/cannotWrite(path:reason:)``.
    public func write(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let staging = (folder.isEmpty ? "" : folder + "/") + "." + (path as NSString).lastPathComponent
            + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try Data(try ReportJSON.encode(self).utf8).write(to: URL(fileURLWithPath: staging))
            guard rename(staging, path) == 0 else {
                throw PartitionError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
        } catch let error as PartitionError {
            unlink(staging)
            throw error
        } catch {
            unlink(staging)
            throw PartitionError.cannotWrite(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Reads a result written by ``write(to:)``.
    ///
    /// - Throws: ``PartialScanError/unreadable(path:reason:)``.
    public static func read(_ path: String) throws -> PartialScan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PartialScanError.unreadable(path: path, reason: "cannot read the file")
        }
        do {
            let partial = try JSONDecoder().decode(PartialScan.self, from: data)
            guard partial.format == formatName else {
                throw PartialScanError.unreadable(path: path, reason: "format '\(partial.format)', expected '\(formatName)'")
            }
            return partial
        } catch let error as PartialScanError {
            throw error
        } catch {
            throw PartialScanError.unreadable(path: path, reason: "not a partition result")
        }
    }

    /// Merges the results of every job of one run into the report of the whole run.
    ///
    /// - Throws: ``PartialScanError`` when jobs are missing, repeated, or of different runs.
    public static func combine(_ parts: [(path: String, partial: PartialScan)]) throws -> ScanReport {
        guard let (_, first) = parts.first else { throw PartialScanError.none }
        var seen = Set<Int>()
        for (path, part) in parts {
            guard part.count == first.count, part.pageSize == first.pageSize, part.sampleEvery == first.sampleEvery,
                part.images == first.images, part.unreadablePages == first.unreadablePages,
                part.tally.tunables == first.tally.tunables, part.tally.domains == first.tally.domains
            else { throw PartialScanError.differentRun(path: path) }
            guard seen.insert(part.index).inserted else { throw PartialScanError.repeated(index: part.index, path: path) }
        }
        let missing = (0..<first.count).filter { !seen.contains($0) }
        guard missing.isEmpty else { throw PartialScanError.missing(indices: missing, count: first.count) }
        var tally = first.tally
        for (_, part) in parts.dropFirst() { tally.merge(part.tally) }
        return ScanReport(
            tally: tally, summaries: first.images, unreadable: first.unreadablePages,
            pageSize: try PageSize(bytes: first.pageSize), hash: SteadyStateScan.fingerprintHash,
            equality: .fingerprint128, sample: SampleRate(uncheckedEvery: first.sampleEvery))
    }
}

/// Partition results that cannot be combined.
public enum PartialScanError: Error, Equatable, CustomStringConvertible {
    /// No result was given.
    case none
    /// A file that is not a partition result.
    case unreadable(path: String, reason: String)
    /// A result of another run (other inputs, tunables or job count).
    case differentRun(path: String)
    /// Two results of one job.
    case repeated(index: Int, path: String)
    /// Jobs without a result.
    case missing(indices: [Int], count: Int)

    public var description: String {
        switch self {
        case .none: "name the partition results to combine"
        case .unreadable(let path, let reason): "\(path): cannot read partition result: \(reason)"
        case .differentRun(let path):
            "\(path): belongs to another run (other inputs, tunables, page size, sample or job count than the first result)"
        case .repeated(let index, let path): "\(path): partition \(index) is given twice"
        case .missing(let indices, let count):
            "partition(s) \(indices.map(String.init).joined(separator: ", ")) of \(count) have no result"
        }
    }
}
