import Foundation
import Testing

@testable import KSMScope

/// Finding ksmd and reading its CPU time.
@Suite("ksmd's process and CPU time")
struct KsmdProcessTests {
    @Test("ksmd is the kernel thread named ksmd under kthreadd; its schedstat is three numbers")
    func fakeProc() throws {
        let folder = try TemporaryFolder()
        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: folder.path + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        // A user process that calls itself ksmd is not it.
        try write("99/comm", "ksmd\n")
        try write("99/stat", "99 (ksmd) S 1 99 99 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n")
        #expect(throws: KernelError.noKsmd(procRoot: folder.path)) { try KsmdProcess.find(procRoot: folder.path) }
        try write("37/comm", "ksmd\n")
        try write("37/stat", "37 (ksmd) S 2 0 0 0 -1 2097216 0 0 0 0 0 467 0 0 25 5 1 0 22 0 0\n")
        try write("37/schedstat", "4676942721 9692254781 11073\n")
        let ksmd = try KsmdProcess.find(procRoot: folder.path)
        #expect(ksmd.pid == 37)
        #expect(
            try ksmd.schedstat()
                == .init(runNanoseconds: 4_676_942_721, waitNanoseconds: 9_692_254_781, timeslices: 11073))
        #expect(try ksmd.cpuNanoseconds() == 4_676_942_721)
        #expect(try ksmd.nice() == 5)
        try write("37/schedstat", "garbage\n")
        #expect(throws: KernelError.self) { try ksmd.schedstat() }
    }

    @Test(
        "on this machine: ksmd runs at nice 5 and its CPU time never goes back",
        .enabled(if: FileManager.default.fileExists(atPath: "/sys/kernel/mm/ksm"), "kernel without KSM"))
    func realKsmd() throws {
        let ksmd = try KsmdProcess.find()
        #expect(try ksmd.nice() == 5)
        let first = try ksmd.cpuNanoseconds()
        let second = try ksmd.cpuNanoseconds()
        #expect(second >= first)
    }
}
