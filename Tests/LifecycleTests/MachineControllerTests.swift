import Foundation
import Provisioner
import Spec
import Testing
@testable import Lifecycle

@Suite struct MachineControllerTests {
    let web = Machine(name: "web", box: "tiny", cpus: 2, memoryMiB: 256, hostname: "web.local")

    @Test func upCreatesDefinesStartsAndDoesFirstContactWork() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let outcome = try fixture.controller.up(web)
        #expect(outcome == .created(address: "192.0.2.10"))

        let domain = fixture.project.domainName(of: "web")
        let defined = try #require(fixture.host.domains[domain])
        #expect(defined.status == .running)
        #expect(defined.plan.cpus == 2 && defined.plan.memoryMiB == 256)
        #expect(defined.plan.metadata.machine == "web" && defined.plan.metadata.box == "tiny")
        #expect(fixture.host.volumes[fixture.project.volumeName(of: "web")] == "box-tiny-1")

        let files = fixture.project.files(of: "web")
        #expect(try String(contentsOf: files.hostKey, encoding: .utf8) == "ssh-ed25519 AAAAfakehostkey\n")
        let keyAttributes = try FileManager.default.attributesOfItem(atPath: files.privateKey.path)
        #expect((keyAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(!FileManager.default.fileExists(atPath: files.stagedPrivateKey.path))
        #expect(fixture.guests.commands.contains { $0.contains("authorized_keys") && $0.contains("ssh-ed25519 AAAAfakepub") })
        #expect(fixture.guests.commands.contains { $0.contains("'web.local'") && $0.contains("/etc/hostname") })
    }

    @Test func firstContactIsOneGuestCommand() throws {
        var bare = web
        bare.syncedFolders = [SyncedFolder(host: "/", guest: "/vagrant", disabled: true)]
        let fixture = try LifecycleFixture(machines: [bare])
        _ = try fixture.controller.up(bare)
        #expect(fixture.guests.commands.count == 1)
        #expect(fixture.guests.rsyncRuns.isEmpty)
    }

    @Test func theDefaultFolderAddsOneGuestCommandAndOneRsync() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.commands.count == 2)
        #expect(fixture.guests.commands.last?.contains("command -v rsync") == true)
        let rsync = try #require(fixture.guests.rsyncRuns.first)
        #expect(fixture.guests.rsyncRuns.count == 1)
        #expect(rsync.suffix(2) == [fixture.project.directory.path + "/", "vagrant@192.0.2.10:/vagrant/"])
    }

    @Test func aFailedHostnameKeepsTheInstalledKeyAndSaysWhatFailed() throws {
        let fixture = try LifecycleFixture(machines: [web])
        fixture.guests.commandResult = ("/etc/hostname", GuestCommandResult(status: 91, stdout: "", stderr: "sudo: a password is required"))
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.message.contains("hostname") && error.hint?.contains("password is required") == true)
        let files = fixture.project.files(of: "web")
        #expect(FileManager.default.fileExists(atPath: files.privateKey.path))
        #expect(!FileManager.default.fileExists(atPath: files.stagedPrivateKey.path))
    }

    @Test func aGuestRejectingEveryKeyIsNamedAsSuchNotAsATimeout() throws {
        let fixture = try LifecycleFixture(machines: [web])
        fixture.guests.rejectsEveryKey = true
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.code == .guest)
        #expect(error.message.contains("did not accept a key") && !error.message.contains("within"))
        #expect(error.message.contains("Vagrant's insecure ed25519 key"))
        #expect(error.hint?.contains("ssh.private_key") == true)
    }

    @Test func aFailedKeyInstallKeepsTheKeyStagedOnly() throws {
        let fixture = try LifecycleFixture(machines: [web])
        fixture.guests.commandResult = ("authorized_keys", GuestCommandResult(status: 90, stdout: "", stderr: "No space left on device"))
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.message.contains("SSH key"))
        let files = fixture.project.files(of: "web")
        #expect(!FileManager.default.fileExists(atPath: files.privateKey.path))
        #expect(FileManager.default.fileExists(atPath: files.stagedPrivateKey.path))
    }

    @Test func secondUpLeavesARunningMachineAlone() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        let callsBefore = fixture.host.calls.count
        #expect(try fixture.controller.up(web) == .alreadyRunning)
        #expect(fixture.host.calls.count == callsBefore)
    }

    @Test func upStartsAHaltedMachineWithoutRedefiningAndChecksThePin() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        #expect(try fixture.controller.halt(web) == .done)
        #expect(try fixture.controller.up(web) == .started(address: "192.0.2.10"))
        #expect(fixture.host.calls.filter(\.isDefine).count == 1)
        #expect(fixture.guests.pinsSeen.last == "ssh-ed25519 AAAAfakehostkey")
    }

    @Test func changedHostKeyFailsTheUp() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.halt(web)
        fixture.guests.hostKey = "ssh-ed25519 AAAAother"
        #expect(throws: LifecycleError.self) { try fixture.controller.up(web) }
    }

    @Test func missingBoxFailsClearlyAndCreatesNothing() throws {
        let fixture = try LifecycleFixture(machines: [web], installBox: false)
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.code == .boxMissing)
        #expect(error.message.contains("box 'tiny'") && error.message.contains("'web'"))
        #expect(fixture.host.domains.isEmpty && fixture.host.volumes.isEmpty)
    }

    @Test func failedFirstStartLeavesNoHalfMadeMachine() throws {
        let fixture = try LifecycleFixture(machines: [web])
        fixture.host.failStart = true
        #expect(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(fixture.host.domains.isEmpty)
        #expect(fixture.host.volumes[fixture.project.volumeName(of: "web")] == nil)
    }

    @Test func upFinishesFirstContactOfAGuestAKilledRunStarted() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        // What a run killed after start but before first contact leaves: no pin, no key.
        try FileManager.default.removeItem(at: fixture.project.files(of: "web").hostKey)
        try FileManager.default.removeItem(at: fixture.project.files(of: "web").privateKey)
        #expect(try fixture.controller.up(web) == .started(address: "192.0.2.10"))
        #expect(FileManager.default.fileExists(atPath: fixture.project.files(of: "web").hostKey.path))
        #expect(FileManager.default.fileExists(atPath: fixture.project.files(of: "web").privateKey.path))
    }

    @Test func upReplacesADiskLeftByAKilledRun() throws {
        let fixture = try LifecycleFixture(machines: [web])
        fixture.host.addLeftoverVolume(fixture.project.volumeName(of: "web"))
        _ = try fixture.controller.up(web)
        #expect(fixture.host.volumes[fixture.project.volumeName(of: "web")] == "box-tiny-1")
    }

    @Test func haltForcesOffWhenTheGuestIgnoresACPI() throws {
        var stubborn = web
        stubborn.gracefulHaltTimeout = 0
        let fixture = try LifecycleFixture(machines: [stubborn])
        _ = try fixture.controller.up(stubborn)
        fixture.host.honoursACPI = false
        #expect(try fixture.controller.halt(stubborn) == .forced)
        #expect(try fixture.controller.status(of: stubborn) == .shutoff)
        #expect(try fixture.controller.halt(stubborn) == .alreadyInState)
    }

    @Test func destroyRemovesDomainVolumeAndStateButKeepsTheBox() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        #expect(try fixture.controller.destroy(web) == .done)
        #expect(fixture.host.domains.isEmpty)
        #expect(fixture.host.volumes.keys.sorted() == ["box-tiny-1"])
        #expect(!FileManager.default.fileExists(atPath: fixture.project.files(of: "web").directory.path))
        #expect(try fixture.controller.destroy(web) == .notCreated)
    }

    @Test func suspendAndResume() throws {
        let fixture = try LifecycleFixture(machines: [web])
        #expect(try fixture.controller.suspend(web) == .notCreated)
        _ = try fixture.controller.up(web)
        #expect(try fixture.controller.suspend(web) == .done)
        #expect(try fixture.controller.status(of: web) == .paused)
        #expect(try fixture.controller.up(web) == .resumed)
        _ = try fixture.controller.suspend(web)
        #expect(try fixture.controller.resume(web) == .done)
        #expect(try fixture.controller.resume(web) == .alreadyInState)
        _ = try fixture.controller.halt(web, force: true)
        #expect(throws: LifecycleError.self) { try fixture.controller.suspend(web) }
    }

    @Test func severalMachinesComeUpTogetherAndFailuresStayTheirOwn() throws {
        let machines = ["a", "b", "c"].map { Machine(name: $0, box: $0 == "b" ? "absent" : "tiny") }
        let fixture = try LifecycleFixture(machines: machines)
        let results = fixture.controller.forEach(machines) { controller, machine in try controller.up(machine) }
        #expect(results.map(\.machine) == ["a", "b", "c"])
        #expect((try? results[0].result.get()) != nil)
        #expect((try? results[1].result.get()) == nil)
        #expect((try? results[2].result.get()) != nil)
    }

    @Test func macAddressesAreStablePerMachineAndDistinct() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let mac = fixture.controller.managementMAC(of: "web")
        #expect(mac == fixture.controller.managementMAC(of: "web"))
        #expect(mac != fixture.controller.managementMAC(of: "db"))
        #expect(mac.hasPrefix("52:54:00:") && mac.count == 17)
    }

    @Test func projectLockRefusesASecondHolderWithNoWait() throws {
        let fixture = try LifecycleFixture(machines: [web])
        try fixture.controller.withProjectLock(noWait: true) {
            let error = try #require(throws: LifecycleError.self) {
                try fixture.controller.withProjectLock(noWait: true) {}
            }
            #expect(error.message.contains("process \(getpid())"))
        }
        try fixture.controller.withProjectLock(noWait: true) {}
    }
}

@Suite struct ProjectTests {
    @Test func idIsDeterministicReadableAndPathSpecific() {
        let first = Project.id(forDirectory: "/home/ann/My Project")
        #expect(first == Project.id(forDirectory: "/home/ann/My Project"))
        #expect(first.hasPrefix("my-project-"))
        #expect(first != Project.id(forDirectory: "/home/bob/My Project"))
    }

    @Test func selectsMachinesByNameAndRegexInDeclarationOrder() throws {
        let vmfile = Vmfile(path: "/tmp/p/Vmfile", machines: ["web1", "web2", "db"].map { Machine(name: $0, box: "tiny") })
        let project = Project(vmfile: vmfile)
        #expect(try project.machines(matching: []).map(\.name) == ["web1", "web2", "db"])
        #expect(try project.machines(matching: ["db", "/web\\d/"]).map(\.name) == ["web1", "web2", "db"])
        #expect(try project.machines(matching: ["db"]).map(\.name) == ["db"])
        #expect(throws: LifecycleError.self) { try project.machines(matching: ["nope"]) }
        #expect(project.domainName(of: "db") == "vmfile-p-\(project.id.suffix(6))-db")
    }
}
