#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Which images may share pages with which, for the `domain` merge policy: pages merge only
/// inside one domain (a tenant, a security zone).
///
/// The file format has one rule per line, `PATTERN DOMAIN`, where PATTERN is an image path or a
/// shell glob matched against the image's path and against its file name. The first matching
/// rule wins. Blank lines and lines starting with `#` are ignored. An image no rule matches is a
/// domain of its own.
public struct MergeDomains: Sendable, Equatable, Codable {
    /// Each image's domain name, in input order.
    public let names: [String]
    /// Each image's domain as an index into ``distinctNames``.
    public let indices: [Int]
    /// The domains, in order of first appearance.
    public let distinctNames: [String]

    /// Assigns each of `images` (paths, in input order) a domain by `rules`.
    public init(rules: [(pattern: String, domain: String)], images: [String]) {
        var names: [String] = []
        for path in images {
            let file = path.split(separator: "/").last.map(String.init) ?? path
            let rule = rules.first { rule in
                rule.pattern == path || fnmatch(rule.pattern, path, 0) == 0 || fnmatch(rule.pattern, file, 0) == 0
            }
            names.append(rule?.domain ?? path)
        }
        var distinct: [String] = []
        var index: [String: Int] = [:]
        self.indices = names.map { name in
            if let known = index[name] { return known }
            index[name] = distinct.count
            distinct.append(name)
            return distinct.count - 1
        }
        self.names = names
        self.distinctNames = distinct
    }

    /// Reads rules from a domains file.
    ///
    /// - Throws: ``MergeDomainsError`` naming the file and line of a malformed rule.
    public static func rules(fromFile path: String) throws(MergeDomainsError) -> [(pattern: String, domain: String)] {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw .unreadable(path: path, reason: "is a folder")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: Self.reason(error))
        }
        var rules: [(String, String)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2 else { throw .malformed(path: path, line: number + 1) }
            rules.append((String(fields[0]), String(fields[1])))
        }
        return rules
    }

    /// Why reading failed, in the words of the underlying POSIX error when there is one.
    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        let code = (error as NSError).code
        if code == NSFileReadNoSuchFileError { return String(cString: strerror(ENOENT)) }
        if code == NSFileReadNoPermissionError { return String(cString: strerror(EACCES)) }
        if code == NSFileReadInapplicableStringEncodingError || code == NSFileReadCorruptFileError {
            return "not UTF-8 text"
        }
        return (error as NSError).localizedDescription
    }
}

/// A domains file that cannot be used.
public enum MergeDomainsError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be read as UTF-8 text, and why.
    case unreadable(path: String, reason: String)
    /// A line is not `PATTERN DOMAIN`.
    case malformed(path: String, line: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read domains file: \(reason)"
        case .malformed(let path, let line): "\(path):\(line): expected 'PATH-OR-GLOB DOMAIN'"
        }
    }
}
