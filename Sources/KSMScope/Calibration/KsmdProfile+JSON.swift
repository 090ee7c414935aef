import Foundation

extension KsmdProfile {
    /// Reads the profile at `path`; ``source`` becomes `path`.
    ///
    /// - Throws: ``KsmdProfileError/file(path:problem:)`` naming the file.
    public static func load(path: String) throws(KsmdProfileError) -> KsmdProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .file(path: path, problem: .unreadable(reason: exists ? "permission denied" : "no such file"))
        }
        do {
            var profile = try decode(json: data)
            profile.source = path
            return profile
        } catch {
            throw .file(path: path, problem: error)
        }
    }

    /// Reads a profile from JSON.
    ///
    /// - Throws: ``KsmdProfileError`` when it is not a profile, is of a newer format, lacks a
    ///   coefficient or has a negative one, or a field is missing.
    public static func decode(json data: Data) throws(KsmdProfileError) -> KsmdProfile {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw .notJSON }
        let format = object["format"] as? String
        guard let format, format.hasPrefix("ksmscope-profile/"),
            let version = Int(format.dropFirst("ksmscope-profile/".count))
        else { throw .notAProfile(format: format) }
        guard version <= formatVersion else { throw .newerFormat(format) }
        guard version == formatVersion else { throw .notAProfile(format: format) }
        guard let costs = object["costs"] as? [String: Any] else { throw .invalidField("costs") }
        do {
            _ = try KSMCostProfile.decode(object: costs, complete: true)
        } catch {
            throw .costs(error)
        }
        do {
            return try JSONDecoder().decode(KsmdProfile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidField((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidField(context.codingPath.map(\.stringValue).joined(separator: "."))
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidField(context.codingPath.map(\.stringValue).joined(separator: "."))
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidField(context.codingPath.map(\.stringValue).joined(separator: "."))
        } catch {
            throw .notJSON
        }
    }

    /// The profile as the JSON `calibrate --out` writes.
    public func encoded() throws -> String { try ReportJSON.encode(self) }

    /// Refuses the profile for a run with pages of `pageSize` bytes.
    ///
    /// - Throws: ``KsmdProfileError/pageSize(profile:run:)``.
    public func check(pageSize: Int) throws(KsmdProfileError) {
        guard host.pageSize == pageSize else { throw .pageSize(profile: host.pageSize, run: pageSize) }
    }

    /// The profile a command uses: the file at `path`, checked against the run's page size,
    /// or ``builtIn`` (used as it is whatever the page size).
    ///
    /// - Throws: ``KsmdProfileError`` naming the file.
    public static func resolve(path: String?, pageSize: Int) throws(KsmdProfileError) -> KsmdProfile {
        guard let path else { return builtIn }
        let profile = try load(path: path)
        do {
            try profile.check(pageSize: pageSize)
        } catch {
            throw .file(path: path, problem: error)
        }
        return profile
    }
}
