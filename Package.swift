// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ksmscope",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KSMScope", targets: ["KSMScope"]),
        .executable(name: "ksmscope", targets: ["ksmscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.6.0"),
    ],
    targets: [
        // xxHash from Debian's libxxhash-dev (pkg-config name libxxhash).
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        // Page decompressors for kdump-compressed dumps, from Debian's -dev packages.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZO", pkgConfig: "lzo2", providers: [.apt(["liblzo2-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Small C helpers that must not run Swift code: the forked children that hold
        // pages for the real ksmd run only async-signal-safe C after fork().
        .target(
            name: "CKSMSupport",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // Page hashes at the speed of the CPU: XXH64 of many pages at once (AVX-512) and XXH3
        // with AVX2, chosen at run time, equal to libxxhash's values.
        .target(name: "CPageHash", dependencies: ["CXXHash"]),
        .target(
            name: "KSMScope",
            dependencies: [
                "CXXHash",
                "CPageHash",
                "CKSMSupport",
                "CZlib",
                "CLZO",
                "CSnappy",
                "CZstd",
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .executableTarget(
            name: "ksmscope",
            dependencies: [
                "KSMScope",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KSMScopeTests",
            // The compressors for the tests' dump writers (Support/DumpWriters, shared with Fuzz/);
            // CPageHash's every path checked against libxxhash (PageHashTests).
            dependencies: ["KSMScope", "CXXHash", "CPageHash", "CZlib", "CLZO", "CSnappy", "CZstd"],
            // Saved fuzzer inputs, read by FormatFuzzRegressionTests from the source tree.
            exclude: ["FuzzRegressions"]
        ),
    ]
)
