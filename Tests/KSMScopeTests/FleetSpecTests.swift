import Foundation
import Testing

@testable import KSMScope

/// A small valid spec as a JSON object, to be changed by each test.
func sampleSpecObject() -> [String: Any] {
    [
        "comment": "test fleet",
        "os": [
            [
                "name": "deb12", "family": "linux", "kernel_text_mib": 1, "kernel_data_mib": 0.5,
                "page_cache_mib": 1, "comment": "comments are allowed in every object",
            ],
            [
                "name": "win11", "family": "windows", "kernel_text_mib": 1.5, "kernel_data_mib": 0.5,
                "page_cache_mib": 1,
            ],
        ],
        "libraries": [["name": "libc", "mib": 0.5]],
        "fleet": [
            ["name": "web", "count": 2, "memory_mib": 4, "os": "deb12", "libraries": ["libc"]],
            [
                "name": "desk", "count": 1, "memory_mib": 5, "os": "win11", "zero_fraction": 0.3,
                "aslr": ["fraction": 0.2, "layouts": 2, "style": "offset"],
                "churn": ["pages_per_second": 5, "write_mix": ["fresh": 0.5, "zero": 0.5]],
            ],
        ],
    ]
}

/// Parses `object` as a spec.
func parseSpec(_ object: [String: Any]) throws(FleetSpecError) -> FleetSpec {
    let data = try! JSONSerialization.data(withJSONObject: object)
    return try FleetSpec(json: data)
}

/// `object` with the member at `path` (keys and array indices) set to `value` (nil removes it).
func setting(_ object: [String: Any], _ path: [Any], to value: Any?) -> [String: Any] {
    func set(_ node: Any, _ path: ArraySlice<Any>) -> Any? {
        guard let first = path.first else { return value }
        if let key = first as? String, var dictionary = node as? [String: Any] {
            dictionary[key] = set(dictionary[key] ?? [String: Any](), path.dropFirst())
            return dictionary
        }
        if let index = first as? Int, var array = node as? [Any] {
            array[index] = set(array[index], path.dropFirst()) as Any
            return array
        }
        return node
    }
    return set(object, path[...]) as! [String: Any]
}

@Suite("FleetSpec")
struct FleetSpecTests {
    @Test("reads values and fills defaults")
    func parses() throws {
        let spec = try parseSpec(sampleSpecObject())
        #expect(spec.pageSize.bytes == 4096)
        #expect(spec.operatingSystems.map(\.name) == ["deb12", "win11"])
        #expect(spec.operatingSystems[0].kernelDataPrivate == 0.5)
        #expect(spec.libraries == [FleetSpec.Library(name: "libc", mib: 0.5)])
        let web = spec.fleet[0]
        #expect(web.count == 2 && web.memoryMiB == 4 && web.libraries == ["libc"])
        #expect(web.zeroFraction == 0.05 && web.staleFraction == 0.15 && web.selfSharingCopies == 4 && web.interleave)
        #expect(web.churn == nil)
        let desk = spec.fleet[1]
        #expect(desk.aslr.fraction == 0.2 && desk.aslr.layouts == 2 && desk.aslr.style == .offset)
        #expect(desk.churn?.pagesPerSecond == 5 && desk.churn?.writeMix.zero == 0.5 && desk.churn?.hotWrites == 0.9)
    }

    /// The cases each bad spec must be refused with: the change, then the error.
    static var badSpecs: [(String, [Any], Any?, FleetSpecError)] {
        [
            ("unknown top-level key", ["fleets"], [] as [Any], .unknownKey(key: "fleets")),
            ("misspelt key", ["fleet", 1, "memroy_mib"], 4, .unknownKey(key: "fleet[1].memroy_mib")),
            (
                "unknown nested key", ["fleet", 1, "churn", "write_mix", "fast"], 0.1,
                .unknownKey(key: "fleet[1].churn.write_mix.fast")
            ),
            ("negative memory", ["fleet", 1, "memory_mib"], -3, .notPositive(key: "fleet[1].memory_mib", value: -3)),
            ("zero count", ["fleet", 0, "count"], 0, .notPositive(key: "fleet[0].count", value: 0)),
            ("negative size", ["os", 0, "kernel_text_mib"], -1, .negative(key: "os[0].kernel_text_mib", value: -1)),
            ("negative library", ["libraries", 0, "mib"], -2, .notPositive(key: "libraries[0].mib", value: -2)),
            (
                "negative rate", ["fleet", 1, "churn", "pages_per_second"], -5,
                .negative(key: "fleet[1].churn.pages_per_second", value: -5)
            ),
            (
                "fraction above 1", ["fleet", 0, "zero_fraction"], 1.5,
                .notAFraction(key: "fleet[0].zero_fraction", value: 1.5)
            ),
            (
                "negative fraction", ["os", 1, "family_shared"], -0.1,
                .notAFraction(key: "os[1].family_shared", value: -0.1)
            ),
            (
                "fraction in ASLR", ["fleet", 1, "aslr", "fraction"], 2,
                .notAFraction(key: "fleet[1].aslr.fraction", value: 2)
            ),
            ("text count", ["fleet", 0, "count"], "2", .wrongType(key: "fleet[0].count", expected: "a whole number")),
            (
                "fractional count", ["fleet", 0, "count"], 2.5,
                .wrongType(key: "fleet[0].count", expected: "a whole number")
            ),
            (
                "boolean size", ["os", 0, "page_cache_mib"], true,
                .wrongType(key: "os[0].page_cache_mib", expected: "a number")
            ),
            ("number comment", ["comment"], 3, .wrongType(key: "comment", expected: "a string")),
            ("missing os", ["fleet", 0, "os"], nil, .missingKey(key: "fleet[0].os")),
            ("missing fleet", ["fleet"], nil, .missingKey(key: "fleet")),
            ("undefined os", ["fleet", 0, "os"], "deb13", .unknownName(key: "fleet[0].os", name: "deb13")),
            (
                "undefined library", ["fleet", 0, "libraries"], ["libc", "nginx"],
                .unknownName(key: "fleet[0].libraries[1]", name: "nginx")
            ),
            ("duplicate name", ["fleet", 1, "name"], "web", .duplicateName(key: "fleet[1].name", name: "web")),
            (
                "bad style", ["fleet", 1, "aslr", "style"], "random",
                .invalidValue(key: "fleet[1].aslr.style", reason: "must be 'pointers' or 'offset' (got 'random')")
            ),
            (
                "write mix not summing to 1", ["fleet", 1, "churn", "write_mix", "same"], 0.5,
                .invalidValue(key: "fleet[1].churn.write_mix", reason: "fresh + zero + same is 1.5, must be 1")
            ),
            (
                "free memory above 1", ["fleet", 1, "stale_fraction"], 0.75,
                .invalidValue(
                    key: "fleet[1].stale_fraction", reason: "zero_fraction + stale_fraction is 1.05, more than 1")
            ),
            (
                "one copy", ["fleet", 0, "self_sharing_copies"], 1,
                .invalidValue(key: "fleet[0].self_sharing_copies", reason: "must be at least 2 (got 1)")
            ),
            (
                "page size", ["page_size"], 3000,
                .invalidValue(
                    key: "page_size", reason: "page size 3000 is not a power of two between 512 and 1073741824 bytes")
            ),
        ]
    }

    @Test("refuses bad specs naming the key", arguments: 0..<25)
    func refuses(_ index: Int) {
        #expect(Self.badSpecs.count == 25)
        let (_, path, value, expected) = Self.badSpecs[index]
        let spec = setting(sampleSpecObject(), path, to: value)
        #expect(throws: expected) { try parseSpec(spec) }
        #expect(expected.description.hasPrefix(expected.key! + ": "))
    }

    @Test("messages name the key path")
    func messages() {
        #expect(
            FleetSpecError.notPositive(key: "fleet[1].memory_mib", value: -3).description
                == "fleet[1].memory_mib: must be positive (got -3)")
        #expect(FleetSpecError.unknownKey(key: "fleet[1].memroy_mib").description == "fleet[1].memroy_mib: unknown key")
        #expect(
            FleetSpecError.notAFraction(key: "fleet[0].zero_fraction", value: 1.5).description
                == "fleet[0].zero_fraction: must be a fraction from 0 to 1 (got 1.5)")
    }

    @Test("refuses text that is not JSON")
    func notJSON() {
        #expect(throws: FleetSpecError.self) { try FleetSpec(json: Data("{\"os\": [".utf8)) }
        #expect(throws: FleetSpecError.wrongType(key: "spec", expected: "an object")) {
            try FleetSpec(json: Data("[1]".utf8))
        }
    }

    @Test("a guest whose OS, libraries and free memory exceed its memory does not fit")
    func doesNotFit() throws {
        let spec = try parseSpec(setting(sampleSpecObject(), ["fleet", 0, "memory_mib"], to: 2.5))
        #expect(throws: FleetSpecError.self) { try FleetPlan(spec: spec, seed: 1) }
        do {
            _ = try FleetPlan(spec: spec, seed: 1)
        } catch {
            #expect(error.key == "fleet[0].memory_mib")
            #expect(error.description.contains("is less than OS and libraries"))
        }
        // Scaled down the same fleet fits again only if sizes stay whole pages: scale applies to all.
        #expect(throws: FleetSpecError.notPositive(key: "scale", value: 0)) {
            try FleetPlan(spec: try parseSpec(sampleSpecObject()), seed: 1, scale: 0)
        }
    }

    @Test("every sample spec parses and plans")
    func samples() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples")
        for name in ["demo", "linux-web-servers", "desktop-pool", "container-hosts"] {
            let spec = try FleetSpec(contentsOfFile: folder.appendingPathComponent("\(name).json").path)
            #expect(spec.comment?.isEmpty == false, "\(name) documents itself")
            let plan = try FleetPlan(spec: spec, seed: 1)
            #expect(plan.totalPages > 0)
        }
    }
}
