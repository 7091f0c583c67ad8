import Foundation
import Testing

/// `kill -9` of `vmfile snapshot restore` of a running machine with memory: once while libvirtd is still
/// reverting (the domain "paused (from snapshot)" while QEMU loads the memory), once right after the revert
/// while vmfile settles the guest (clock, ports, markers). Each rerun, which must not wait for a lock, has to
/// converge: the machine running, not paused, with the saved file and process back.
extension SnapshotEndToEndTests {
    @Test func runningRestoreKilledDuringRevertAndDuringSettleConvergesOnRerun() throws {
        try Sandbox.with(vmfile: """
            version: 1
            machines:
              snap:
                box: tiny
                memory: 192MiB
            """) { sandbox in
            let up = try sandbox.run("up", "--no-provision")
            try #require(up.status == 0, "up failed: \(up)")
            #expect(try sandbox.run("ssh", "-c", Self.startProcesses).status == 0)
            let save = try sandbox.run("snapshot", "save", "s1")
            try #require(save.status == 0, "save failed: \(save)")
            let domain = "vmfile-\(try sandbox.projectID())-snap"

            // 1. Killed while libvirtd loads the snapshot's memory; the rerun meets that revert in flight.
            try changeGuest(sandbox)
            // The load takes ~0.3 s between vmfile's pause and its resume: kill on libvirt's "Suspended"
            // event itself (a `virsh domstate` per sample can take longer than the window on a loaded host).
            let events = try LifecycleEvents(domain: domain)
            defer { events.stop() }
            let first = try sandbox.start("snapshot", "restore", "s1")
            var atKill = ""
            let sawPaused = events.wait(for: "Suspended", seconds: 120, while: { first.isRunning }) {
                kill(first.processIdentifier, SIGKILL)
                atKill = events.received
            }
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            let killed = first.terminationReason == .uncaughtSignal
            #expect(sawPaused && killed && !atKill.contains("Resumed"),
                    "the restore was not killed during its revert (paused seen: \(sawPaused), killed: \(killed), exit \(first.terminationStatus), events at the kill: \(atKill))")
            try expectConverged(sandbox, domain: domain)

            // 2. Killed once the revert is done, while vmfile sets the clock and puts its own state back.
            try changeGuest(sandbox)
            let landed = try KillMatrixEndToEndTests.kill(sandbox, ["snapshot", "restore", "s1"],
                                                          at: "restored snapshot 's1' (running)", after: 0)
            #expect(landed, "the restore finished before it could be killed")
            try expectConverged(sandbox, domain: domain)

            #expect(try sandbox.run("destroy", "-f").status == 0)
            #expect(try sandbox.leftovers().isEmpty)
        }
    }

    /// Removes the saved file and stops the saved process, so only a restore brings them back.
    private func changeGuest(_ sandbox: Sandbox) throws {
        let changed = try sandbox.run("ssh", "-c", "rm ~/f; for p in $(pidof sleep); do kill $p; done; sync")
        try #require(changed.status == 0, "\(changed)")
    }

    /// A rerun of the killed restore succeeds without waiting for a lock and leaves the machine running
    /// (not paused) with the file and process of the snapshot, and only the complete snapshot listed.
    private func expectConverged(_ sandbox: Sandbox, domain: String) throws {
        let rerun = try sandbox.run("snapshot", "restore", "s1", "--no-wait")
        try #require(rerun.status == 0, "rerun failed: \(rerun)")
        #expect(KillWindowEndToEndTests.domainState(domain).hasPrefix("running"), "\(KillWindowEndToEndTests.domainState(domain))")
        #expect(try sandbox.states() == ["snap": "running"])
        let guest = try sandbox.run("ssh", "-c", "cat ~/f; ps | grep -c '[7]777777'")
        #expect(guest.stdout == "before\n1\n", "\(guest)")
        let listing = try listed(sandbox)
        #expect(listing.map(\.name) == ["s1"] && listing.allSatisfy(\.complete), "\(listing)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent(".vmfile/snapshot-journal.json").path))
    }
}
