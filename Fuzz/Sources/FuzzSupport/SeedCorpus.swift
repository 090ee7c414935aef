@testable import KSMScope

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension Harness {
    /// If `KSMSCOPE_FUZZ_SEEDS` names a folder, writes `target`'s seed corpus there and exits
    /// (called from `LLVMFuzzerInitialize`, so scripts/fuzz.sh needs no other build).
    public static func writeSeedsIfAsked(_ target: Target) {
        guard let folder = getenv("KSMSCOPE_FUZZ_SEEDS").map({ String(cString: $0) }) else { return }
        for (name, bytes) in seeds(for: target) {
            let ok = bytes.withUnsafeBytes { write($0, to: "\(folder)/\(name)") }
            if !ok { fatalError("cannot write seed \(folder)/\(name)") }
        }
        exit(0)
    }

    /// Small valid dumps of each format (512-byte pages), written by the tests' writers.
    static func seeds(for target: Target) -> [(String, [UInt8])] {
        let size = pageSize.bytes
        let frames: [UInt64] = [0, 1, 2, 3, 6, 7, 8, 20, 21, 22, 23]
        let pages: [[UInt8]] = frames.indices.map { index in
            switch index % 4 {
            case 0: [UInt8](repeating: 0, count: size)
            case 1: GuestFixture.compressible(key: 7, pageSize: size)
            case 2: GuestFixture.compressible(key: UInt64(index), pageSize: size)
            default: GuestFixture.incompressible(key: UInt64(index), pageSize: size)
            }
        }
        let guest = GuestFixture(pageSize: size, frames: frames, pages: pages)
        var elf: [(String, [UInt8])] = [
            ("elf-qemu", DumpWriter.elf(guest, .init(firstDataOffset: 0x498, memoryBeyondFile: 1))),
            (
                "elf-aligned",
                DumpWriter.elf(
                    guest, .init(firstDataOffset: 1024, alias: false, memoryBeyondFile: 0, partialEdges: false))
            ),
            ("elf-be", DumpWriter.elf(guest, .init(bigEndian: true))),
            ("elf32", DumpWriter.elf(guest, .init(class32: true))),
            ("elf-pn-xnum", DumpWriter.elf(guest, .init(extendedCount: true))),
        ]
        elf += elf.map { ($0.0 + "-keep-going", $0.1 + [1]) }
        let kdump: [(String, [UInt8])] =
            [
                ("kdump", DumpWriter.kdump(guest)),
                ("kdump-be", DumpWriter.kdump(guest, .init(bigEndian: true))),
                ("kdump-excluded", DumpWriter.kdump(guest, .init(excluded: [2, 21]))),
                ("kdump-no-zero-block", DumpWriter.kdump(guest, .init(sharedZeroBlock: false))),
                ("kdump-v1", DumpWriter.kdump(guest, .init(version: 1))),
                ("kdump-flat", DumpWriter.kdump(guest, .init(flattened: true))),
                ("kdump-flat-excluded", DumpWriter.kdump(guest, .init(excluded: [0, 23], flattened: true))),
            ]
            + PageCompression.allCases.map { ("kdump-\($0.name)", DumpWriter.kdump(guest, .init(compressions: [$0]))) }
        let lime: [(String, [UInt8])] = [
            ("lime", DumpWriter.lime(guest)),
            ("lime-aligned", DumpWriter.lime(guest, partialEdges: false)),
        ]
        switch target {
        case .elf: return elf
        case .kdump: return kdump
        case .lime: return lime
        case .detect: return elf + kdump + lime + [("raw", guest.raw)]
        }
    }
}
