import Foundation
import Testing

@testable import KSMScope

/// Something tests need from the machine: the real kernel's KSM, QEMU, the built executable.
///
/// A test or suite given a requirement is skipped where the machine lacks it, unless the
/// environment variable that demands it is `1`: then each of its tests fails with one line
/// naming the variable and what is missing, so that a green run proves those tests ran.
/// `.ci/run` sets `KSMSCOPE_REQUIRE_KERNEL` and `KSMSCOPE_REQUIRE_QEMU`; `scripts/test.sh`,
/// which builds the executable before testing, sets `KSMSCOPE_REQUIRE_EXECUTABLE`.
struct Requirement: TestTrait, SuiteTrait {
    /// The environment variable that turns the skip into a failure.
    let variable: String
    /// What the machine lacks, or nil when it has what the tests need.
    let missing: @Sendable () -> String?

    /// Given to a suite, the requirement applies to each of its tests.
    var isRecursive: Bool { true }

    /// Whether the environment demands the requirement.
    var isDemanded: Bool { ProcessInfo.processInfo.environment[variable] == "1" }

    /// Why a demanded requirement failed a test.
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    func prepare(for test: Test) async throws {
        guard let reason = missing() else { return }
        if isDemanded { throw Missing(description: "\(variable)=1, but \(reason)") }
        // Skips the test the way `.disabled(_:)` does, with the reason as its comment.
        try await ConditionTrait.disabled(Comment(rawValue: reason)).prepare(for: test)
    }
}

extension Trait where Self == Requirement {
    /// Root and a writable /sys/kernel/mm/ksm, to drive the real ksmd; demanded by
    /// `KSMSCOPE_REQUIRE_KERNEL`.
    static var kernel: Self {
        Requirement(variable: "KSMSCOPE_REQUIRE_KERNEL") {
            KSMSysfs().unavailableReason.map { "the real-kernel comparison cannot run: \($0)" }
        }
    }

    /// Root and setpriv, to run ksmscope as an unprivileged user; demanded by
    /// `KSMSCOPE_REQUIRE_KERNEL`, since a machine that gives the tests the kernel runs them as root.
    static var privilegeDrop: Self {
        Requirement(variable: "KSMSCOPE_REQUIRE_KERNEL") {
            if getuid() != 0 { return "running ksmscope as another user needs root (uid is \(getuid()))" }
            if !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
                return "/usr/bin/setpriv is missing (Debian package util-linux)"
            }
            return nil
        }
    }

    /// Root, to mount a small file system that fills up (``SmallTmpfs``); demanded by
    /// `KSMSCOPE_REQUIRE_KERNEL`, like ``privilegeDrop``.
    static var root: Self {
        Requirement(variable: "KSMSCOPE_REQUIRE_KERNEL") {
            getuid() == 0 ? nil : "mounting a tmpfs needs root (uid is \(getuid()))"
        }
    }

    /// `qemu-system-x86_64`, to run a live guest; demanded by `KSMSCOPE_REQUIRE_QEMU`.
    static var qemu: Self {
        Requirement(variable: "KSMSCOPE_REQUIRE_QEMU") {
            FileManager.default.isExecutableFile(atPath: QEMUGuest.emulator)
                ? nil : "\(QEMUGuest.emulator) is missing (Debian package qemu-system-x86)"
        }
    }

    /// The committed samples of `samples/qemu` and xz to unpack them; demanded by
    /// `KSMSCOPE_REQUIRE_QEMU`.
    static var qemuSamples: Self {
        Requirement(variable: "KSMSCOPE_REQUIRE_QEMU") {
            if let absent = QEMUSamples.files.first(where: { !FileManager.default.fileExists(atPath: $0) }) {
                return "\(absent) is missing: run samples/qemu/make-samples.sh"
            }
            return FileManager.default.isExecutableFile(atPath: "/usr/bin/xz")
                ? nil : "/usr/bin/xz is missing (Debian package xz-utils)"
        }
    }

    /// The `ksmscope` executable beside the test bundle; demanded by
    /// `KSMSCOPE_REQUIRE_EXECUTABLE`.
    static var executable: Self {
        Requirement(variable: "KSMSCOPE_REQUIRE_EXECUTABLE") {
            FileManager.default.isExecutableFile(atPath: CommandRunner.executable)
                ? nil : "\(CommandRunner.executable) is missing: build it first (swift build)"
        }
    }
}
