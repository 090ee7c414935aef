// swift-tools-version: 6.1
// libFuzzer harnesses for ksmscope's dump parsers; built and run by scripts/fuzz.sh:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
// Each executable is one libFuzzer target whose main() hands its input callback to
// LLVMFuzzerRunDriver. (-enable-testing lets the harness use the tests' dump writers, which
// need internal API, for the seed corpus.)
//
// The dump writers are the tests' own files: Sources/FuzzSupport/DumpWriters is a symlink to
// Tests/KSMScopeTests/Support/DumpWriters. Sharing files, not a target: a target in the main
// package would have to be a library product for this package to use it (test code in the
// shipped package's products), and with `@testable import` it would not build in the main
// package's release builds. Their compressor imports CZlib, CLZO, CSnappy and CZstd, the
// system-library modules KSMScope depends on, which SwiftPM makes visible to KSMScope's
// clients (a package cannot declare them again: target names are unique in a package graph).
import PackageDescription

let package = Package(
    name: "ksmscope-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "ksmscope", path: "..")],
    targets: [
        // What every harness does with an input, and the seed corpus (the tests' dump writers).
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "KSMScope", package: "ksmscope")]
        ),
        // Declares libFuzzer's driver entry point.
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "fuzz-elf", dependencies: ["FuzzSupport", "CFuzzerDriver"], path: "Sources/FuzzELF"),
        .executableTarget(name: "fuzz-kdump", dependencies: ["FuzzSupport", "CFuzzerDriver"], path: "Sources/FuzzKdump"),
        .executableTarget(name: "fuzz-lime", dependencies: ["FuzzSupport", "CFuzzerDriver"], path: "Sources/FuzzLiME"),
        .executableTarget(name: "fuzz-detect", dependencies: ["FuzzSupport", "CFuzzerDriver"], path: "Sources/FuzzDetect"),
        // Replays inputs without libFuzzer or sanitizers (built separately, see scripts/fuzz.sh).
        .executableTarget(name: "fuzz-replay", dependencies: ["FuzzSupport"], path: "Sources/FuzzReplay"),
    ]
)
