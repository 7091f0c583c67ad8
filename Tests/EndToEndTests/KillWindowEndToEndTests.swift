import Foundation
import Testing

/// `kill -9` of `vmfile up` while libvirtd is still carrying out its call: the define (slow while
/// libvirt probes QEMU — 30–50 s per define on a host without udev) and the start (paused "starting
/// up" until QEMU is ready). libvirtd finishes the killed call on its own; the rerun must neither
/// conflict with it ("already exists with uuid") nor take its half-way state for a plan ("resuming a
/// domain that is already running").
///
/// Both windows are made wide on purpose by a QEMU wrapper (`VMFILE_EMULATOR`) that waits 6 s before
/// a capability probe (a new binary path: libvirt probes it on the first define) and before a start.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct KillWindowEndToEndTests {
    static let delay = 6

    /// A wrapper QEMU at a fresh path (so libvirt has no capabilities cached for it).
    final class SlowQEMU {
        let directory: URL
        let path: String

        init() throws {
            directory = URL(fileURLWithPath: "/tmp/vmfile-slow-qemu-\(UInt32.random(in: 0...UInt32.max))")
            path = directory.appendingPathComponent("qemu-system-x86_64").path
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            // libvirt starts QEMU stopped (-S) both to probe it and to run a guest.
            try """
                #!/bin/sh
                case " $* " in *" -S "*) sleep \(KillWindowEndToEndTests.delay);; esac
                exec /usr/bin/qemu-system-x86_64 "$@"
                """.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    static func domainState(_ domain: String) -> String {
        (try? runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "domstate", "--reason", domain]))
            .map { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "absent" } ?? "absent"
    }

    static func volumeExists(_ volume: String) -> Bool {
        (try? runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "vol-info", "--pool", "vmfile", volume]))?.status == 0
    }

    /// Polls `condition` every 50 ms for up to `seconds`; true when it held.
    static func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    @Test func upKilledDuringDefineThenDuringStartConvergesOnRerun() throws {
        let qemu = try SlowQEMU()
        let environment = ["VMFILE_EMULATOR": qemu.path]
        let sandbox = try Sandbox(vmfile: LifecycleEndToEndTests.oneMachine)
        let domain = "vmfile-\(try sandbox.projectID())-solo"

        // 1. Killed while libvirtd probes the new QEMU for its define: the disk is made just before.
        let first = try sandbox.start("up", environment: environment)
        #expect(Self.wait(120) { Self.volumeExists(domain + ".qcow2") }, "the first up made no disk")
        Thread.sleep(forTimeInterval: 1)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(Self.domainState(domain) == "absent", "the define was not in flight when killed")

        // 2. The rerun (its define meets the killed one's), killed while its start is half-way.
        let second = try sandbox.start("up", environment: environment)
        let startingUp = Self.wait(120) { Self.domainState(domain) == "paused (starting up)" }
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        #expect(startingUp, "the second up was not killed during its start: \(Self.domainState(domain))")

        // 3. This rerun must finish the machine's first boot.
        let rerun = try sandbox.run(["up"], environment: environment)
        try #require(rerun.status == 0, "rerun failed: \(rerun)")
        #expect(try sandbox.states() == ["solo": "running"])
        #expect(try sandbox.run("ssh", "-c", "hostname").stdout == "solo-host\n")
        let uuid = try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "domuuid", domain]).stdout
        #expect(!uuid.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)

        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
    }
}
