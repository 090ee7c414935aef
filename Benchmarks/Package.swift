// swift-tools-version: 6.1
// Benchmarks for ksmscope, kept out of the main package so that `swift build` there does not
// build ordo-one/benchmark. Run from this folder: `swift package benchmark`.
import PackageDescription

let package = Package(
    name: "ksmscope-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Pin the name: a path dependency's identity is otherwise the checkout folder's name.
        .package(name: "ksmscope", path: ".."),
        // MallocInterposer only: the default RuntimeInterposer trait needs a package that is not mirrored here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The deterministic image-set maker, shared by the Scan benchmark and compare.sh
        // (which compiles the same file with -DKSMBENCH_MAIN into a command-line tool).
        .target(
            name: "CBenchDataset",
            path: "Sources/CBenchDataset",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .executableTarget(
            name: "PageHashing",
            dependencies: [
                .product(name: "KSMScope", package: "ksmscope"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/PageHashing",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Scan",
            dependencies: [
                "CBenchDataset",
                .product(name: "KSMScope", package: "ksmscope"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Scan",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Generation",
            dependencies: [
                .product(name: "KSMScope", package: "ksmscope"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Generation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Formats",
            dependencies: [
                .product(name: "KSMScope", package: "ksmscope"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Formats",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The 4 Mi-page fleet of the Simulation and Tuning benchmarks.
        .target(
            name: "BenchmarkFleet",
            dependencies: [.product(name: "KSMScope", package: "ksmscope")],
            path: "Sources/BenchmarkFleet"
        ),
        // Not a benchmark: the calibration accuracy table against the real ksmd (root), run
        // by calibration-accuracy.sh.
        .executableTarget(
            name: "CalibrationAccuracy",
            dependencies: [.product(name: "KSMScope", package: "ksmscope")],
            path: "Sources/CalibrationAccuracy"
        ),
        .executableTarget(
            name: "Tuning",
            dependencies: [
                "BenchmarkFleet",
                .product(name: "KSMScope", package: "ksmscope"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Tuning",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Simulation",
            dependencies: [
                "BenchmarkFleet",
                .product(name: "KSMScope", package: "ksmscope"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Simulation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Planning",
            dependencies: [
                .product(name: "KSMScope", package: "ksmscope"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Planning",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
