import Foundation

/// The JSON documents ksmscope writes beside images (`ksmscope generate`), told apart by their
/// `format` value, which is their first key: they are never images, and naming one where an
/// image is expected gets a clear line instead of a scan of its text.
public enum ManifestKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `expected.json`: the counts a generated set was built to have.
    case expected = "ksmscope-expected"
    /// `timeline.json`: a generated set's snapshots and the pages each step wrote.
    case timeline = "ksmscope-timeline"

    /// The kind of the file at `path`, or nil when it is not one of ksmscope's manifests.
    public init?(file path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 256)) ?? Data(), as: UTF8.self)
        let compact = head.filter { !$0.isWhitespace }
        guard let kind = Self.allCases.first(where: { compact.hasPrefix("{\"format\":\"\($0.rawValue)/") }) else {
            return nil
        }
        self = kind
    }

    public var description: String {
        switch self {
        case .expected: "expected-counts manifest"
        case .timeline: "timeline manifest"
        }
    }
}
