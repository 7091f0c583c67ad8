import Foundation
import Provisioner
import Spec
import Testing
@testable import Lifecycle

/// Folder planning (Vagrant's default `/vagrant`), the rsync command line, and the guest script.
@Suite struct SyncedFolderTests {
    let project = URL(fileURLWithPath: "/home/u/app")

    func machine(_ folders: [SyncedFolder]) -> Machine {
        Machine(name: "m", box: "tiny", syncedFolders: folders)
    }

    @Test func theProjectGoesToVagrantByDefault() {
        let folders = FolderPlan.folders(of: machine([]), projectDirectory: project)
        #expect(folders == [SyncedFolder(host: "/home/u/app", guest: "/vagrant")])
    }

    @Test func aVagrantEntryReplacesOrDisablesTheDefault() {
        let replaced = FolderPlan.folders(of: machine([SyncedFolder(host: "/src", guest: "/vagrant", type: .virtiofs)]),
                                          projectDirectory: project)
        #expect(replaced.map(\.host) == ["/src"] && replaced.first?.type == .virtiofs)
        let disabled = FolderPlan.folders(of: machine([SyncedFolder(host: "/home/u/app", guest: "/vagrant", disabled: true),
                                                       SyncedFolder(host: "/x", guest: "/x", disabled: true)]),
                                          projectDirectory: project)
        #expect(disabled.isEmpty)
    }

    @Test func mountedFoldersBecomeSharedDirectoriesWithStableTags() {
        let folders = [SyncedFolder(host: "/a", guest: "/mnt/a", type: .virtiofs), SyncedFolder(host: "/b", guest: "/mnt/b", type: .ninep),
                       SyncedFolder(host: "/c", guest: "/mnt/c")]
        let shared = FolderPlan.sharedDirectories(of: machine(folders), projectDirectory: project)
        #expect(shared.map(\.kind) == [.virtiofs, .ninep] && shared.map(\.hostPath) == ["/a", "/b"])
        #expect(shared[0].tag == FolderPlan.tag(for: folders[0]) && shared[0].tag != shared[1].tag)
        #expect(shared.allSatisfy { $0.tag.hasPrefix("vmfile-") && $0.tag.utf8.count <= 31 })
    }

    static let access = OpenSSHAccess(alias: "m", address: "192.168.123.5", port: 22, user: "vagrant",
                                      identityFile: "/p q/.vmfile/machines/m/id_ed25519",
                                      knownHostsFile: "/p q/.vmfile/machines/m/known_hosts", hostKeyAlias: "vmfile-p-m")

    @Test func rsyncUsesThePinnedKeyTheMachineKeySudoAndExcludes() {
        let folder = SyncedFolder(host: "/p q", guest: "/vagrant", exclude: [".git/", "node_modules/"])
        let arguments = RsyncInvocation(folder: folder, ssh: Self.access, owner: "vagrant", group: "vagrant").arguments
        #expect(Array(arguments.prefix(2)) == ["--archive", "--delete"])
        #expect(arguments.contains("--chown=vagrant:vagrant") && arguments.contains("--rsync-path=sudo -n rsync"))
        #expect(arguments.contains("--exclude=.vmfile/") && arguments.contains("--exclude=.git/")
            && arguments.contains("--exclude=node_modules/"))
        #expect(arguments.suffix(2) == ["/p q/", "vagrant@192.168.123.5:/vagrant/"])
        let shell = arguments[arguments.firstIndex(of: "-e").map { $0 + 1 } ?? 0]
        #expect(shell.hasPrefix("ssh -o IdentitiesOnly=yes -o 'UserKnownHostsFile=/p q/.vmfile/machines/m/known_hosts'"))
        #expect(shell.contains("-o StrictHostKeyChecking=yes") && shell.contains("-o HostKeyAlias=vmfile-p-m"))
        #expect(shell.hasSuffix("-i '/p q/.vmfile/machines/m/id_ed25519' -p 22"))
        #expect(!shell.contains("vagrant@"))
    }

    @Test func rsyncArgsReplaceTheDefaults() {
        let folder = SyncedFolder(host: "/src", guest: "/srv", args: ["-rlt", "--checksum"])
        let arguments = RsyncInvocation(folder: folder, ssh: Self.access, owner: "www", group: "www").arguments
        #expect(Array(arguments.prefix(2)) == ["-rlt", "--checksum"] && !arguments.contains("--archive"))
        #expect(arguments.contains("--chown=www:www"))
    }

    @Test func guestScriptChecksRsyncOwnsTargetsAndMountsByTag() {
        let folders = [SyncedFolder(host: "/a", guest: "/vagrant"), SyncedFolder(host: "/b", guest: "/srv/b", owner: "www", group: "web"),
                       SyncedFolder(host: "/c", guest: "/mnt/c", type: .ninep, mountOptions: ["ro"]),
                       SyncedFolder(host: "/d", guest: "/mnt/d", type: .virtiofs)]
        let script = GuestFolderScript.command(folders, sshUser: "vagrant")
        #expect(script.hasPrefix("command -v rsync >/dev/null 2>&1 || exit 92"))
        #expect(script.contains("g=\"$(id -gn 'vagrant' 2>/dev/null)\"") && script.contains("g='web'"))
        #expect(script.contains("chown 'www':\"$g\" '/srv/b'"))
        #expect(script.contains("'\(FolderPlan.tag(for: folders[2]))' 'trans=virtio,version=9p2000.L,msize=524288,ro'"))
        #expect(script.contains("'\(FolderPlan.tag(for: folders[3]))' 'defaults'"))
        #expect(script.contains("modprobe -q 9pnet_virtio") && script.contains("modprobe -q virtiofs"))
        #expect(GuestFolderScript.groups("vmfile-folder 0 vagrant\nvmfile-folder 1 web\nvmfile-folder 2 mounted\n") == [0: "vagrant", 1: "web"])
        #expect(GuestFolderScript.failedIndex("sudo: nope\nvmfile-folder-failed 3\n") == 3)
    }

    @Test func mountedOnlyFoldersNeedNoRsync() {
        let script = GuestFolderScript.command([SyncedFolder(host: "/d", guest: "/mnt/d", type: .virtiofs)], sshUser: "vagrant")
        #expect(!script.contains("command -v rsync"))
    }

    @Test func aGuestWithoutRsyncFailsNamingThePackage() throws {
        let web = Machine(name: "web", box: "tiny")
        let fixture = try LifecycleFixture(machines: [web])
        fixture.guests.commandResult = ("command -v rsync", GuestCommandResult(status: 92, stdout: "", stderr: ""))
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.message.contains("the guest has no rsync") && error.message.contains("/vagrant"))
        #expect(error.hint?.contains("`rsync` package") == true)
        #expect(fixture.guests.rsyncRuns.isEmpty)
    }

    @Test func aMissingHostFolderFailsBeforeAnythingIsMade() throws {
        let web = Machine(name: "web", box: "tiny", syncedFolders: [SyncedFolder(host: "/nonexistent-vmfile-dir", guest: "/x")])
        let fixture = try LifecycleFixture(machines: [web])
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.message.contains("/nonexistent-vmfile-dir does not exist"))
        #expect(fixture.host.domains.isEmpty)
    }

    @Test func createMakesTheHostFolder() throws {
        let fixture0 = try LifecycleFixture(machines: [])
        let path = fixture0.directory.appendingPathComponent("made/here").path
        let web = Machine(name: "web", box: "tiny", syncedFolders: [SyncedFolder(host: path, guest: "/x", create: true)])
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(fixture.guests.rsyncRuns.count == 2)
    }

    @Test func aRunningMachineWhoseBootWasNotSetUpGetsItsFoldersOnTheNextUp() throws {
        let web = Machine(name: "web", box: "tiny")
        let fixture = try LifecycleFixture(machines: [web])
        let pending = fixture.project.files(of: "web").bootSetupPending
        // The run that started the boot lost its guest before the folders were copied.
        fixture.guests.commandResult = ("command -v rsync", GuestCommandResult(status: 92, stdout: "", stderr: ""))
        _ = try? fixture.controller.up(web)
        #expect(fixture.guests.rsyncRuns.isEmpty)
        #expect(FileManager.default.fileExists(atPath: pending.path))

        fixture.guests.commandResult = nil
        #expect(try fixture.controller.up(web) == .alreadyRunning)
        #expect(fixture.guests.rsyncRuns.count == 1)
        #expect(!FileManager.default.fileExists(atPath: pending.path))
        #expect(fixture.reporter.lines.contains("web: its boot was set up only in part by an unfinished run: finishing it"))

        // A machine whose boot was set up is not copied to again by `up` (as in Vagrant: `vmfile rsync` does that).
        #expect(try fixture.controller.up(web) == .alreadyRunning)
        #expect(fixture.guests.rsyncRuns.count == 1)
    }
}
