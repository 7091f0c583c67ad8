import Foundation
import Provisioner
import Spec
import Testing
@testable import Lifecycle

@Suite struct SnapshotTests {
    let web = Machine(name: "web", box: "tiny", provision: [
        ProvisionStep(name: "setup", source: .inline("echo setup"), run: .once),
        ProvisionStep(name: "tick", source: .inline("echo tick"), run: .always),
    ])
    let db = Machine(name: "db", box: "tiny")

    func domain(_ fixture: LifecycleFixture, _ machine: String) -> String { fixture.project.domainName(of: machine) }

    @Test func aRunningMachineIsSavedWithMemoryAndRestoredRunningWithItsMarkersAndClock() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web, provision: .none)
        let records = try fixture.controller.saveSnapshot("s1", selectors: [])
        #expect(records.map(\.state) == [.running] && records.first?.address == "192.0.2.10")
        #expect(fixture.host.snapshotCalls == [.create(domain: domain(fixture, "web"), name: "s1", status: .running)])
        // Provisioning after the snapshot marks the once step done; the restore puts the markers back.
        _ = try fixture.controller.provision(web)
        let markers = fixture.project.files(of: "web").provisionMarkers
        #expect(FileManager.default.fileExists(atPath: markers.path))

        fixture.guests.clearScripts()
        let results = try fixture.controller.restoreSnapshot("s1", selectors: [], provision: .none)
        #expect(try results.map { try $0.result.get() } == [.running])
        #expect(fixture.host.snapshotCalls.last == .revert(domain: domain(fixture, "web"), name: "s1", target: .running))
        #expect(!FileManager.default.fileExists(atPath: markers.path))
        #expect(fixture.guests.commands.contains { $0.contains("date -u -s @") })
        #expect(fixture.guests.scripts.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: SnapshotJournal.url(in: fixture.project).path))
    }

    @Test(arguments: [(ProvisionRequest.onBoot, ["echo setup", "echo tick"]), (.all, ["echo setup", "echo tick"]), (.none, [])])
    func provisioningAfterARestoreFollowsTheRestoredMarkers(request: ProvisionRequest, scripts: [String]) throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web, provision: .none)
        try fixture.controller.saveSnapshot("s1", selectors: [])
        _ = try fixture.controller.provision(web)
        fixture.guests.clearScripts()
        _ = try fixture.controller.restoreSnapshot("s1", selectors: [], provision: request)
        // The markers came back from before the first provisioning: `up`'s rules run the once step again.
        #expect(fixture.guests.scripts == scripts)
    }

    @Test func aHaltedMachineIsSavedDiskOnlyAndRestoredHaltedWithoutSSH() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.halt(web)
        try fixture.controller.saveSnapshot("h1", selectors: ["web"])
        _ = try fixture.controller.up(web)
        let connections = fixture.guests.connections
        let results = try fixture.controller.restoreSnapshot("h1", selectors: ["web"])
        #expect(try results.map { try $0.result.get() } == [.shutoff])
        #expect(fixture.host.snapshotCalls.last == .revert(domain: domain(fixture, "web"), name: "h1", target: .asSaved))
        #expect(try fixture.controller.status(of: web) == .shutoff)
        #expect(fixture.guests.connections == connections)
    }

    @Test func severalMachinesAreOneGroupPausedAndResumedTogether() throws {
        let fixture = try LifecycleFixture(machines: [web, db])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.up(db)
        try fixture.controller.saveSnapshot("g1", selectors: [])
        // Both were paused before either snapshot, and both ran again afterwards.
        #expect(Set(fixture.host.snapshotCalls) == [.create(domain: domain(fixture, "web"), name: "g1", status: .paused),
                                                   .create(domain: domain(fixture, "db"), name: "g1", status: .paused)])
        #expect(try fixture.controller.status(of: web) == .running && fixture.controller.status(of: db) == .running)
        let listing = try #require(try fixture.controller.listSnapshots(selectors: []).first)
        #expect(listing.group == ["web", "db"] && listing.complete && listing.machines.map(\.state) == ["running", "running"])

        _ = try fixture.controller.restoreSnapshot("g1", selectors: [], provision: .none)
        let reverts = fixture.host.snapshotCalls.filter { if case .revert = $0 { true } else { false } }
        #expect(Set(reverts) == [.revert(domain: domain(fixture, "web"), name: "g1", target: .paused),
                                 .revert(domain: domain(fixture, "db"), name: "g1", target: .paused)])
        #expect(try fixture.controller.status(of: web) == .running && fixture.controller.status(of: db) == .running)

        // One machine's part alone: the group shows incomplete.
        try fixture.controller.deleteSnapshot("g1", selectors: ["db"])
        #expect(try fixture.controller.listSnapshots(selectors: []).map(\.complete) == [false])
    }

    @Test func aFailedSnapshotOfOneMachineUndoesTheGroup() throws {
        let fixture = try LifecycleFixture(machines: [web, db])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.up(db)
        fixture.host.failSnapshotOf = domain(fixture, "db")
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.saveSnapshot("g1", selectors: []) }
        #expect(error.message.contains("'db'") && error.hint?.contains("free space") == true)
        #expect(try fixture.host.snapshotNames(domain(fixture, "web")).isEmpty)
        #expect(try fixture.controller.listSnapshots(selectors: []).isEmpty)
        #expect(try fixture.controller.status(of: web) == .running && fixture.controller.status(of: db) == .running)
    }

    @Test func problemsAreNamedInOneErrorBeforeAnythingChanges() throws {
        let fixture = try LifecycleFixture(machines: [web, db])
        _ = try fixture.controller.up(web)
        try fixture.controller.saveSnapshot("s1", selectors: ["web"])
        let calls = fixture.host.snapshotCalls
        let save = try #require(throws: LifecycleError.self) { try fixture.controller.saveSnapshot("s1", selectors: []) }
        #expect(save.message.contains("not created: db") && save.message.contains("already holding snapshot 's1': web"))
        let restore = try #require(throws: LifecycleError.self) { try fixture.controller.restoreSnapshot("s1", selectors: ["web", "db"]) }
        #expect(restore.message.contains("not created: db"))
        _ = try fixture.controller.up(db)
        let lacking = try #require(throws: LifecycleError.self) { try fixture.controller.restoreSnapshot("s1", selectors: ["web", "db"]) }
        #expect(lacking.message.contains("without it: db"))
        #expect(fixture.host.snapshotCalls == calls)
        // --force replaces it.
        try fixture.controller.saveSnapshot("s1", selectors: ["web"], force: true)
        #expect(fixture.host.snapshotCalls.dropFirst(calls.count) == [.delete(domain: domain(fixture, "web"), name: "s1"),
                                                                       .create(domain: domain(fixture, "web"), name: "s1", status: .running)])
    }

    @Test(arguments: ["s1", "before-upgrade", "v1.2_3", "0"])
    func validNames(name: String) throws { try SnapshotName.validate(name) }

    @Test(arguments: ["", "../x", "a/b", "<name>", "a&b", "-x", ".hidden", "a b", "é", String(repeating: "a", count: 65)])
    func invalidNames(name: String) {
        #expect(throws: LifecycleError.self) { try SnapshotName.validate(name) }
    }

    @Test func aKilledSaveIsUndoneByTheNextSnapshotCommand() throws {
        let fixture = try LifecycleFixture(machines: [web, db])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.up(db)
        // What a save killed mid-way leaves: both paused, one libvirt snapshot, no records.
        try SnapshotJournal(operation: .save, snapshot: "k1", machines: ["web", "db"], paused: ["web", "db"]).write(in: fixture.project)
        fixture.host.force(domain(fixture, "web"), to: .paused)
        fixture.host.force(domain(fixture, "db"), to: .paused)
        fixture.host.addBareSnapshot(domain(fixture, "web"), name: "k1")
        #expect(try fixture.controller.listSnapshots(selectors: []).isEmpty)

        try fixture.controller.saveSnapshot("k1", selectors: [])
        #expect(try fixture.controller.status(of: web) == .running && fixture.controller.status(of: db) == .running)
        #expect(try fixture.controller.listSnapshots(selectors: []).map(\.name) == ["k1"])
        #expect(fixture.reporter.lines.contains { $0.contains("interrupted snapshot save") })
        #expect(!FileManager.default.fileExists(atPath: SnapshotJournal.url(in: fixture.project).path))
    }

    @Test func aKilledGroupRestoreLeavesNothingPaused() throws {
        let fixture = try LifecycleFixture(machines: [web, db])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.up(db)
        try fixture.controller.saveSnapshot("g1", selectors: [])
        // Killed between the paused reverts and the resume.
        try SnapshotJournal(operation: .restore, snapshot: "g1", machines: ["web", "db"], paused: ["web", "db"]).write(in: fixture.project)
        fixture.host.force(domain(fixture, "web"), to: .paused)
        fixture.host.force(domain(fixture, "db"), to: .paused)
        fixture.controller.recoverInterruptedSnapshot()
        #expect(try fixture.controller.status(of: web) == .running && fixture.controller.status(of: db) == .running)
        // A restore journal never deletes the snapshot it restored.
        #expect(try fixture.controller.listSnapshots(selectors: []).map(\.name) == ["g1"])
    }

    @Test func aSnapshotStillInFlightFromAKilledSaveIsReplaced() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        fixture.host.inFlightSnapshot = domain(fixture, "web")
        try fixture.controller.saveSnapshot("k1", selectors: [])
        let web = domain(fixture, "web")
        #expect(fixture.host.snapshotCalls == [.create(domain: web, name: "k1", status: .running), .delete(domain: web, name: "k1"),
                                               .create(domain: web, name: "k1", status: .running)])
        #expect(try fixture.controller.listSnapshots(selectors: []).map(\.name) == ["k1"])
    }

    @Test func pushAndPopAreAStack() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        let first = try fixture.controller.pushSnapshot(selectors: [])
        let second = try fixture.controller.pushSnapshot(selectors: [])
        #expect(first != second && first.hasPrefix("push-"))
        #expect(try fixture.controller.popSnapshot(selectors: [], provision: .none).name == second)
        #expect(try fixture.controller.popSnapshot(selectors: [], delete: false, provision: .none).name == first)
        #expect(try fixture.controller.popSnapshot(selectors: [], provision: .none).name == first)
        #expect(throws: LifecycleError.self) { try fixture.controller.popSnapshot(selectors: []) }
        #expect(try fixture.host.snapshotNames(domain(fixture, "web")).isEmpty)
    }

    @Test func statusCountsSnapshotsAndDestroyRemovesThem() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        try fixture.controller.saveSnapshot("a", selectors: [])
        try fixture.controller.saveSnapshot("b", selectors: [])
        #expect(try fixture.controller.statuses([web]).map(\.snapshots) == [2])
        _ = try fixture.controller.destroy(web)
        #expect(try fixture.host.snapshotNames(domain(fixture, "web")).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.project.files(of: "web").directory.path))
        #expect(try fixture.controller.statuses([web]).map(\.snapshots) == [0])
    }
}
