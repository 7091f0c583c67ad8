import Foundation
import Testing

/// Snapshots on real guests: memory and disk-only saves, groups, push/pop, vmfile's own state, ports and
/// `vmfile ssh` right after a restore, a killed save, and nothing left after destroy. Two tests, three boots:
/// checks that need not be separate share a guest.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct SnapshotEndToEndTests {
    /// Starts a sleeper only the snapshot's memory can bring back, and a TCP echo server on guest port 2222.
    static let startProcesses = """
        echo before > ~/f && sync
        setsid sleep 7777777 </dev/null >/dev/null 2>&1 &
        setsid nc -ll -p 2222 -e cat </dev/null >/dev/null 2>&1 &
        """

    @Test func oneMachineRunningAndHaltedWithMarkersPortsClockAndDestroy() throws {
        let port = try LoopbackSocket.freePort()
        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              snap:
                box: tiny
                memory: 192MiB
                forwarded_ports:
                  - {guest: 2222, host: \(port)}
                provision:
                  - name: count
                    privileged: false
                    shell: echo ran >> /home/vagrant/once.log
            """)
        let up = try sandbox.run("up", "--no-provision")
        try #require(up.status == 0, "up failed: \(up)")
        #expect(try sandbox.run("ssh", "-c", Self.startProcesses).status == 0)

        // Running: saved with memory. Names are checked; an existing name needs --force.
        let save = try sandbox.run("snapshot", "save", "s1")
        try #require(save.status == 0, "save failed: \(save)")
        let again = try sandbox.run("snapshot", "save", "s1")
        #expect(again.status == 1 && again.stderr.contains("--force"), "\(again)")
        #expect(try sandbox.run("snapshot", "save", "s1", "--force").status == 0)
        let injected = try sandbox.run("snapshot", "save", "../x<y>")
        #expect(injected.status == 1 && injected.stderr.contains("not a valid snapshot name"), "\(injected)")
        #expect(try sandbox.run("snapshot", "restore", "nope").status == 1)

        // After the snapshot: the once step runs, the file goes, the sleeper is killed.
        #expect(try sandbox.run("provision").status == 0)
        #expect(try sandbox.run("ssh", "-c", "cat ~/once.log").stdout == "ran\n")
        #expect(try sandbox.run("ssh", "-c", "rm ~/f; for p in $(pidof sleep); do kill $p; done").status == 0)
        let markers = sandbox.directory.appendingPathComponent(".vmfile/machines/snap/provisioned")
        #expect(FileManager.default.fileExists(atPath: markers.path))

        // Restore without provisioning: file, process, markers and the forward are back; the clock is now's.
        // The definition is the snapshot's, so the snapshot is loaded in the machine's own QEMU process.
        let domain = "vmfile-\(try sandbox.projectID())-snap"
        let qemuBefore = try Self.qemuPID(domain)
        let restore = try sandbox.run("snapshot", "restore", "s1", "--no-provision")
        try #require(restore.status == 0, "restore failed: \(restore)")
        #expect(try Self.qemuPID(domain) == qemuBefore, "an unchanged definition is reverted in place")
        let before = Date().timeIntervalSince1970
        let guest = try sandbox.run("ssh", "-c", "cat ~/f; ps | grep -c '[7]777777'; test -e ~/once.log || echo no-log; date +%s")
        let after = Date().timeIntervalSince1970
        let lines = guest.stdout.split(separator: "\n")
        #expect(lines.prefix(3) == ["before", "1", "no-log"], "\(guest)")
        let guestTime = try #require(lines.last.flatMap { Double($0) }, "\(guest)")
        #expect(guestTime >= before - 2 && guestTime <= after + 2, "guest clock \(guestTime), host \(before)…\(after)")
        #expect(!FileManager.default.fileExists(atPath: markers.path), "markers not restored")
        let payload = Array("through the forward after restore\n".utf8)
        #expect(try LoopbackSocket.tcpExchange(port: port, payload: payload, deadline: Date().addingTimeInterval(20)) == payload)

        // With --provision the once step that ran after the snapshot runs again (on the rolled-back disk).
        // A definition changed since the save is reverted by libvirt in a new QEMU process, just as whole.
        let described = try runProcess("/usr/bin/virsh", ["-c", "qemu:///system", "desc", domain, "--config", "--new-desc", "changed"])
        try #require(described.status == 0, "\(described)")
        let qemuChanged = try Self.qemuPID(domain)
        let provisioned = try sandbox.run("snapshot", "restore", "s1", "--provision")
        #expect(provisioned.status == 0, "\(provisioned)")
        #expect(try Self.qemuPID(domain) != qemuChanged, "a changed definition takes libvirt's revert")
        #expect(try sandbox.run("ssh", "-c", "cat ~/once.log; cat ~/f; ps | grep -c '[7]777777'").stdout == "ran\nbefore\n1\n")

        // Halted: disk only, restored halted.
        #expect(try sandbox.run("ssh", "-c", "echo halted-state > ~/f && sync").status == 0)
        #expect(try sandbox.run("halt").status == 0)
        #expect(try sandbox.run("snapshot", "save", "h1").status == 0)
        // From halted back to the running snapshot: its lease was given back at halt; ssh and the port work.
        let fromHalted = try sandbox.run("snapshot", "restore", "s1")
        try #require(fromHalted.status == 0, "\(fromHalted)")
        #expect(try sandbox.states() == ["snap": "running"])
        #expect(try sandbox.run("ssh", "-c", "cat ~/f").stdout == "before\n")
        #expect(try LoopbackSocket.tcpExchange(port: port, payload: payload, deadline: Date().addingTimeInterval(20)) == payload)
        let toHalted = try sandbox.run("snapshot", "restore", "h1")
        #expect(toHalted.status == 0, "\(toHalted)")
        #expect(try sandbox.states() == ["snap": "shutoff"])
        #expect(try sandbox.run("up").status == 0)
        #expect(try sandbox.run("ssh", "-c", "cat ~/f").stdout == "halted-state\n")

        let status = try sandbox.run("status")
        #expect(status.stdout.contains("2 snapshots"), "\(status)")
        #expect(try listed(sandbox).map(\.name) == ["s1", "h1"])
        #expect(try sandbox.run("snapshot", "delete", "h1").status == 0)
        #expect(try listed(sandbox).map(\.name) == ["s1"])

        // destroy takes every snapshot with the machine: no domain, volume (the qcow2 holding them) or files.
        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
        #expect(try runProcess("/usr/bin/virsh", ["-c", "qemu:///system", "snapshot-list", domain]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent(".vmfile/machines/snap").path))
    }

    @Test func groupSaveRestorePushPopAndAKilledSave() throws {
        let sandbox = try Sandbox(vmfile: LifecycleEndToEndTests.twoMachines)
        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        #expect(try sandbox.run("ssh", "alpha", "-c", "echo a1 > ~/f").status == 0)
        #expect(try sandbox.run("ssh", "beta", "-c", "echo b1 > ~/f").status == 0)

        // One save of both is one group.
        #expect(try sandbox.run("snapshot", "save", "g1").status == 0)
        let group = try #require(try listed(sandbox).first)
        #expect(group.name == "g1" && group.group == ["alpha", "beta"] && group.complete, "\(group)")
        #expect(try sandbox.run("ssh", "alpha", "-c", "echo a2 > ~/f").status == 0)
        #expect(try sandbox.run("ssh", "beta", "-c", "rm ~/f").status == 0)
        let restore = try sandbox.run("snapshot", "restore", "g1")
        try #require(restore.status == 0, "\(restore)")
        #expect(try sandbox.states() == ["alpha": "running", "beta": "running"])
        #expect(try sandbox.run("ssh", "alpha", "-c", "cat ~/f").stdout == "a1\n")
        #expect(try sandbox.run("ssh", "beta", "-c", "cat ~/f").stdout == "b1\n")
        let lacking = try sandbox.run("snapshot", "restore", "nope", "alpha")
        #expect(lacking.status == 1 && lacking.stderr.contains("without it: alpha"), "\(lacking)")

        // push/pop: a stack.
        for value in ["v1", "v2"] {
            #expect(try sandbox.run("ssh", "alpha", "-c", "echo \(value) > ~/f").status == 0)
            #expect(try sandbox.run("snapshot", "push").status == 0)
        }
        #expect(try sandbox.run("ssh", "alpha", "-c", "echo v3 > ~/f").status == 0)
        for value in ["v2", "v1"] {
            let pop = try sandbox.run("snapshot", "pop")
            #expect(pop.status == 0, "\(pop)")
            #expect(try sandbox.run("ssh", "alpha", "-c", "cat ~/f").stdout == "\(value)\n")
        }
        #expect(try sandbox.run("snapshot", "pop").status == 1)
        #expect(try listed(sandbox).map(\.name) == ["g1"])

        // kill -9 while the group is paused for its snapshot: nothing half-made is listed, and a rerun
        // (which must not wait for a lock) resumes the machines and saves.
        let id = try sandbox.projectID()
        let save = try sandbox.start("snapshot", "save", "k1")
        var sawPaused = false
        let deadline = Date().addingTimeInterval(60)
        while !sawPaused, save.isRunning, Date() < deadline {
            let state = try runProcess("/usr/bin/virsh", ["-c", "qemu:///system", "domstate", "vmfile-\(id)-alpha"]).stdout
            sawPaused = state.contains("paused")
        }
        kill(save.processIdentifier, SIGKILL)
        save.waitUntilExit()
        #expect(sawPaused, "the save finished before it could be killed while paused")
        #expect(try !listed(sandbox).contains { $0.name == "k1" && $0.complete })
        // Any machine command under the lock finishes the interrupted save: here `resume`, which has nothing left to do.
        let resume = try sandbox.run("resume", "--no-wait")
        #expect(resume.status == 0 && resume.stderr.contains("interrupted snapshot save"), "\(resume)")
        #expect(try sandbox.states() == ["alpha": "running", "beta": "running"])
        let rerun = try sandbox.run("snapshot", "save", "k1", "--no-wait")
        #expect(rerun.status == 0, "\(rerun)")
        #expect(try sandbox.states() == ["alpha": "running", "beta": "running"])
        #expect(try listed(sandbox).contains { $0.name == "k1" && $0.complete })
        #expect(try sandbox.run("ssh", "alpha", "-c", "echo after-k1 > ~/f").status == 0)
        #expect(try sandbox.run("snapshot", "restore", "k1").status == 0)
        #expect(try sandbox.run("ssh", "alpha", "-c", "cat ~/f").stdout == "v1\n")

        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
    }

    /// The PID of the domain's QEMU process, from libvirt's pid file.
    static func qemuPID(_ domain: String) throws -> String {
        let text = try String(contentsOfFile: "/run/libvirt/qemu/\(domain).pid", encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Listing: Decodable {
        var name: String
        var group: [String]
        var complete: Bool
    }

    func listed(_ sandbox: Sandbox) throws -> [Listing] {
        let output = try sandbox.run("snapshot", "list", "--json")
        guard output.status == 0 else { throw SandboxError(message: "snapshot list failed: \(output)") }
        struct Wrapper: Decodable { var snapshots: [Listing] }
        return try JSONDecoder().decode(Wrapper.self, from: Data(output.stdout.utf8)).snapshots
    }
}
