import Foundation

/// Timelines from the `timeline.json` manifest that `ksmscope generate --timeline` writes: one
/// guest per manifest guest, snapshot `i` taking effect at its `time_seconds`, with the
/// manifest's `written_pages` as the guest's writes (so writes of the same bytes break merges
/// too). Image files are found beside the manifest.
public struct TimelineManifestSource: TimelineSource, Sendable, Equatable {
    /// The manifest file.
    public var path: String
    /// The simulation's page size, which the manifest's must equal.
    public var pageSize: Int

    /// The manifest's file name inside a generated folder.
    public static let fileName = "timeline.json"

    /// Creates a source for the manifest at `path`, or in the folder `path`.
    public init(path: String, pageSize: Int = 4096) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            self.path = (path.hasSuffix("/") ? path : path + "/") + Self.fileName
        } else {
            self.path = path
        }
        self.pageSize = pageSize
    }

    /// Whether `path` names a timeline manifest: a file whose content says so
    /// (``ManifestKind/timeline``), or a folder holding `timeline.json`.
    public static func isManifest(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return false }
        if isFolder.boolValue {
            return FileManager.default.fileExists(atPath: (path.hasSuffix("/") ? path : path + "/") + fileName)
        }
        return ManifestKind(file: path) == .timeline
    }

    public func guests() throws -> [SimulatedGuest] {
        let manifest: TimelineManifest
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            manifest = try JSONDecoder().decode(TimelineManifest.self, from: data)
        } catch let error as DecodingError {
            throw TimelineError.unreadableManifest(path: path, reason: Self.describe(error))
        } catch {
            throw TimelineError.unreadableManifest(path: path, reason: "cannot read the file")
        }
        guard manifest.pageSize == pageSize else {
            throw TimelineError.pageSizeMismatch(path: path, manifest: manifest.pageSize, simulation: pageSize)
        }
        let folder = (path as NSString).deletingLastPathComponent
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") || folder.isEmpty ? file : folder + "/" + file
        }
        return try manifest.guests.map { guest in
            guard guest.files.count == guest.steps.count + 1 else {
                throw TimelineError.unreadableManifest(
                    path: path,
                    reason: "guest '\(guest.name)' has \(guest.files.count) files for \(guest.steps.count) steps")
            }
            var snapshots = [SimulatedGuest.Snapshot(path: resolve(guest.files[0]), trigger: .start)]
            for (index, step) in guest.steps.enumerated() {
                snapshots.append(
                    .init(
                        path: resolve(guest.files[index + 1]), trigger: .atSeconds(step.timeSeconds),
                        writtenPages: step.writtenPages))
            }
            return SimulatedGuest(name: guest.name, snapshots: snapshots)
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? context.debugDescription
                : "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        @unknown default: "not a timeline manifest"
        }
    }
}
