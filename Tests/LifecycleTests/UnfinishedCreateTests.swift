import Foundation
import Provisioner
import Spec
import Testing
@testable import Lifecycle

/// What `up` meets after a create that did not finish: a domain libvirtd defined for a run that then
/// died or removed the disk again.
@Suite struct UnfinishedCreateTests {
    let web = Machine(name: "web", box: "tiny", memoryMiB: 256)

    @Test func aNeverBootedDomainWithoutItsDiskIsMadeAgain() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let domain = fixture.project.domainName(of: "web"), volume = fixture.project.volumeName(of: "web")
        _ = try fixture.controller.up(web)
        try fixture.host.forceOff(domain)
        fixture.host.dropVolume(volume)
        try FileManager.default.removeItem(at: fixture.project.files(of: "web").hostKey)

        #expect(try fixture.controller.up(web) == .created(address: "192.0.2.10"))
        #expect(fixture.host.volumes[volume] == "box-tiny-1")
        #expect(fixture.host.domains[domain]?.status == .running)
        let tail = fixture.host.calls.suffix(from: try #require(fixture.host.calls.lastIndex(of: .undefine(domain))))
        #expect(tail.contains(.createDisk(volume)) && tail.contains(.define(domain)) && tail.contains(.start(domain)))
    }

    @Test func aBootedMachineWhoseDiskIsGoneIsLeftForTheUserToDestroy() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let domain = fixture.project.domainName(of: "web"), volume = fixture.project.volumeName(of: "web")
        _ = try fixture.controller.up(web)
        try fixture.host.forceOff(domain)
        fixture.host.dropVolume(volume)

        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.message.contains(volume) && error.hint?.contains("vmfile destroy web") == true, "\(error)")
        #expect(fixture.host.domains[domain]?.status == .shutoff)
        #expect(!fixture.host.calls.contains(.undefine(domain)))
    }
}

/// What `up` meets after a halt, reload or first contact that was killed half-way.
@Suite struct InterruptedRunTests {
    let web = Machine(name: "web", box: "tiny", memoryMiB: 256)

    @Test func aHaltKilledWhileTheGuestPowersOffIsFinishedBeforeTheBoot() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let domain = fixture.project.domainName(of: "web")
        _ = try fixture.controller.up(web)
        // What a killed `halt`/`reload` leaves: its marker, and a guest still running towards power-off.
        FileManager.default.createFile(atPath: fixture.project.files(of: "web").haltRequested.path, contents: nil)
        let before = fixture.host.calls.count

        #expect(try fixture.controller.up(web) == .started(address: "192.0.2.10"))
        let calls = Array(fixture.host.calls.dropFirst(before))
        let shutdown = try #require(calls.firstIndex(of: .shutdown(domain)), "\(calls)")
        let start = try #require(calls.firstIndex(of: .start(domain)), "\(calls)")
        #expect(shutdown < start)
        #expect(!FileManager.default.fileExists(atPath: fixture.project.files(of: "web").haltRequested.path))
        #expect(try fixture.controller.up(web) == .alreadyRunning, "the marker is gone with the halt")
    }

    @Test func aStaleHaltMarkerOnAHaltedMachineDoesNotHaltItLater() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.halt(web)
        FileManager.default.createFile(atPath: fixture.project.files(of: "web").haltRequested.path, contents: nil)
        #expect(try fixture.controller.up(web) == .started(address: "192.0.2.10"))
        #expect(try fixture.controller.up(web) == .alreadyRunning)
    }

    @Test func aRunningMachinePinnedButWithoutItsOwnKeyFinishesFirstContact() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let files = fixture.project.files(of: "web")
        _ = try fixture.controller.up(web)
        // Killed between pinning the host key and keeping the machine's key.
        try FileManager.default.removeItem(at: files.privateKey)
        #expect(try fixture.controller.up(web) == .started(address: "192.0.2.10"))
        #expect(FileManager.default.fileExists(atPath: files.privateKey.path))
        #expect(try fixture.controller.up(web) == .alreadyRunning)
    }

    @Test func aKeyAKilledRunStagedIsInstalledAgainNotReplaced() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let files = fixture.project.files(of: "web")
        try files.create()
        try "STAGED-PRIVATE".write(to: files.stagedPrivateKey, atomically: true, encoding: .utf8)
        try "ssh-ed25519 AAAAstaged vmfile web".write(to: files.stagedPublicKey, atomically: true, encoding: .utf8)

        _ = try fixture.controller.up(web)
        #expect(fixture.guests.commands.contains { $0.contains("ssh-ed25519 AAAAstaged") && $0.contains("authorized_keys") })
        #expect(try String(contentsOf: files.privateKey, encoding: .utf8) == "STAGED-PRIVATE")
        #expect(!FileManager.default.fileExists(atPath: files.stagedPrivateKey.path))
        #expect(!FileManager.default.fileExists(atPath: files.stagedPublicKey.path))
    }
}
