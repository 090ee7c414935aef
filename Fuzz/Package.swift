// swift-tools-version: 6.1
// libFuzzer harnesses for ksmscope's dump parsers; built and run by scripts/fuzz.sh:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
// Each executable is one libFuzzer target whose main() hands its input callback to
// LLVMFuzzerRunDriver. (-enable-testing lets the harness use the tests' dump writers, which
// need internal API, for the seed corpus.)
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
