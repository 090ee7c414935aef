import FuzzSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// Replays inputs through a harness without libFuzzer or sanitizers: optimized code as shipped,
// where a miscompile the instrumented builds hide can still show. scripts/fuzz.sh replays each
// target's corpus with it.
//
//   fuzz-replay TARGET FILE-OR-FOLDER...
let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let target = Harness.Target(rawValue: name) else {
    print("usage: fuzz-replay elf|kdump|lime|detect FILE-OR-FOLDER...")
    exit(2)
}
var count = 0
for path in arguments.dropFirst() {
    let files = Harness.files(at: path)
    // A folder without inputs would pass having checked nothing.
    guard !files.isEmpty else {
        print("fuzz-replay: \(path) holds no input to replay")
        exit(1)
    }
    for file in files {
        Harness.replay(target, file: file)
        count += 1
    }
}
print("fuzz-replay \(target.rawValue): \(count) inputs, no crash")
