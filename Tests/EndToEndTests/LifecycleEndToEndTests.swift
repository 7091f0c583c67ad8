import Foundation
import Testing

/// Real guests through libvirt + QEMU (TCG here). Serialized: each boot takes a core.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct LifecycleEndToEndTests {
    static let oneMachine = """
        version: 1
        machines:
          solo:
            box: tiny
            memory: 256MiB
            hostname: solo-host
        """

    @Test func upSSHHaltUpSuspendResumeDestroy() throws {
        let sandbox = try Sandbox(vmfile: Self.oneMachine)

        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        #expect(try sandbox.states() == ["solo": "running"])

        let uname = try sandbox.run("ssh", "-c", "uname -s; hostname; id -un; sudo -n id -u")
        #expect(uname.status == 0, "\(uname)")
        #expect(uname.stdout.split(separator: "\n") == ["Linux", "solo-host", "vagrant", "0"])

        // The insecure key was replaced by the machine's own.
        let keys = try sandbox.run("ssh", "-c", "cat ~/.ssh/authorized_keys")
        #expect(keys.stdout.contains("vmfile solo") && !keys.stdout.contains("vagrant insecure"), "\(keys)")

        // Secrets: the project state is owner-only, the key 0600, and no private key shows in output.
        let state = sandbox.directory.appendingPathComponent(".vmfile")
        for (path, mode) in [(state.path, 0o700), (state.path + "/machines/solo", 0o700), (state.path + "/machines/solo/id_ed25519", 0o600)] {
            let actual = try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
            #expect(actual & 0o077 == 0 && actual & mode == mode, "\(path) is \(String(actual, radix: 8)), want owner-only \(String(mode, radix: 8))")
        }
        for output in [up, try sandbox.run("status", "--json"), try sandbox.run("ssh-config")] {
            #expect(!(output.stdout + output.stderr).contains("PRIVATE KEY"), "a private key in output: \(output)")
        }

        // The name came at boot (SMBIOS): the box's own /etc/hostname was left alone, no sudo needed.
        #expect(try sandbox.run("ssh", "-c", "cat /etc/hostname").stdout == "tiny\n")

        let write = try sandbox.run("ssh", "-c", "echo kept > ~/marker && sync")
        #expect(write.status == 0, "\(write)")
        // A hostname changed in the Vmfile of an existing machine is set over SSH at its next boot.
        try Self.oneMachine.replacingOccurrences(of: "solo-host", with: "solo-renamed")
            .write(to: sandbox.vmfilePath, atomically: true, encoding: .utf8)

        let halt = try sandbox.run("halt")
        #expect(halt.status == 0, "\(halt)")
        #expect(halt.stderr.contains("halted") && !halt.stderr.contains("forced"), "ACPI halt expected: \(halt)")
        #expect(try sandbox.states() == ["solo": "shutoff"])

        let again = try sandbox.run("up")
        try #require(again.status == 0, "second up failed: \(again)")
        #expect(try sandbox.run("ssh", "-c", "cat ~/marker").stdout == "kept\n")
        #expect(try sandbox.run("ssh", "-c", "hostname; cat /etc/hostname").stdout == "solo-renamed\nsolo-renamed\n")

        let idle = try sandbox.run("up")
        #expect(idle.status == 0 && idle.stderr.contains("already running"), "\(idle)")

        #expect(try sandbox.run("suspend").status == 0)
        #expect(try sandbox.states() == ["solo": "paused"])
        #expect(try sandbox.run("resume").status == 0)
        #expect(try sandbox.states() == ["solo": "running"])
        #expect(try sandbox.run("ssh", "-c", "true").status == 0)

        let global = try sandbox.run("global-status", "--json")
        #expect(global.stdout.contains(sandbox.vmfilePath.path), "\(global)")

        let destroy = try sandbox.run("destroy", "--force")
        #expect(destroy.status == 0, "\(destroy)")
        #expect(try sandbox.states() == ["solo": "not-created"])
        #expect(try sandbox.leftovers().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent(".vmfile/machines/solo").path))
    }

    /// Two small machines, `alpha` and `beta` (shared with the snapshot suite).
    static let twoMachines = """
        version: 1
        defaults:
          box: tiny
          memory: 192MiB
        machines:
          alpha: {}
          beta: {}
        """

    @Test func twoMachinesComeUpInParallel() throws {
        let sandbox = try Sandbox(vmfile: Self.twoMachines)
        // While `up` runs: a second `up --no-wait` is refused naming the holder, and status and
        // ssh-config answer every time without waiting for the lock.
        let first = try sandbox.start("up")
        var lockRefusal: ProcessOutput?
        var readers: [ProcessOutput] = []
        while first.isRunning, readers.count < 20 {
            if lockRefusal == nil, FileManager.default.fileExists(atPath: sandbox.directory.path + "/.vmfile/machines/alpha") {
                lockRefusal = try sandbox.run("up", "--no-wait")
            }
            readers.append(readers.count % 2 == 0 ? try sandbox.run("status", "--json") : try sandbox.run("ssh-config"))
        }
        first.waitUntilExit()
        try #require(first.terminationStatus == 0, "up failed")
        #expect(readers.count == 20, "up ended after \(readers.count) status/ssh-config calls")
        for (index, reader) in readers.enumerated() {
            if index % 2 == 0 {
                let json = reader.stdout.data(using: .utf8).flatMap { try? JSONSerialization.jsonObject(with: $0) }
                #expect(reader.status == 0 && json != nil, "status --json during up: \(reader)")
            } else {
                // A machine not up yet is a clear error, never a crash or a half-written block.
                #expect(reader.status == 0 && reader.stdout.contains("HostName") || reader.status == 1 && reader.stderr.hasPrefix("error: "),
                        "ssh-config during up: \(reader)")
            }
        }
        if let lockRefusal {
            #expect(lockRefusal.status == 1 && lockRefusal.stderr.contains("process \(first.processIdentifier)"), "\(lockRefusal)")
        } else {
            Issue.record("up finished before a second up could meet its lock")
        }
        #expect(try sandbox.states() == ["alpha": "running", "beta": "running"])
        #expect(try sandbox.run("ssh", "alpha", "-c", "hostname").stdout == "alpha\n")
        #expect(try sandbox.run("ssh", "beta", "-c", "hostname").stdout == "beta\n")
        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
    }

    @Test func upKilledMidBootConvergesOnRerun() throws {
        let sandbox = try Sandbox(vmfile: Self.oneMachine)
        let first = try sandbox.start("up")
        // Kill once the domain exists, i.e. mid-boot.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try sandbox.states()["solo"]) != "running" {
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()

        let rerun = try sandbox.run("up")
        try #require(rerun.status == 0, "rerun failed: \(rerun)")
        #expect(try sandbox.run("ssh", "-c", "true").status == 0)
        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
    }

    @Test func aGuestSlowerThanBootTimeoutFailsWithTheConsoleTailThenTheRerunFinishes() throws {
        let sandbox = try Sandbox(vmfile: Self.oneMachine + "\n    boot_timeout: 2\n")
        let up = try sandbox.run("up")
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("within 2 s") && up.stderr.contains("last console lines") || up.stderr.contains("no console output yet"),
                "the error must say what and show the console: \(up)")
        try sandbox.rewriteVmfile(replacing: "boot_timeout: 2", with: "boot_timeout: 300")
        let rerun = try sandbox.run("up")
        try #require(rerun.status == 0, "rerun failed: \(rerun)")
        #expect(try sandbox.run("ssh", "-c", "hostname").stdout == "solo-host\n")
        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
    }

    @Test func missingBoxFailsClearlyAndCreatesNothing() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              lost:
                box: no-such-box
            """)
        let up = try sandbox.run("up")
        #expect(up.status == 1)
        #expect(up.stderr.contains("box 'no-such-box'") && up.stderr.contains("vmfile box add"), "\(up)")
        #expect(try sandbox.states() == ["lost": "not-created"])
        #expect(try sandbox.leftovers().isEmpty)
    }

    @Test func brokenVmfileFailsWithLocationsAndCreatesNothing() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              bad:
                box: tiny
                cpus: zero
                memroy: 1GiB
            """)
        let up = try sandbox.run("up")
        #expect(up.status == 1)
        #expect(up.stderr.contains("Vmfile:5:") && up.stderr.contains("Vmfile:6:"), "\(up)")
        // By project path, not by name: other suites run machines called `bad` at the same time.
        let global = try sandbox.run("global-status", "--json")
        #expect(global.status == 0, "\(global)")
        let root = sandbox.directory.deletingLastPathComponent().lastPathComponent
        #expect(!global.stdout.contains(root), "a domain of this project exists: \(global.stdout)")
    }
}
