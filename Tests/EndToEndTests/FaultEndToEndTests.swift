import Foundation
import Testing

/// Faults from outside vmfile: libvirt unreachable, a full box store, a full storage pool. Each is
/// one clear error (what, where, what to do), nothing half made, and a rerun once the fault is gone
/// converges.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct FaultEndToEndTests {
    @Test func unreachableLibvirtIsOneClearErrorAndNothingIsMade() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-fault-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "version: 1\nmachines:\n  solo: {box: tiny}\n".write(to: root.appendingPathComponent("Vmfile"), atomically: true, encoding: .utf8)
        let uri = "qemu+unix:///system?socket=\(root.path)/no-libvirtd.sock"
        // (`box list` works without libvirt: it lists the store and leaves out the usage.)
        for command in [["up"], ["status"], ["halt"], ["destroy", "--force"], ["snapshot", "list"], ["ssh-config"]] {
            let output = try runProcess(E2E.binary.path, command + ["--connect", uri], in: root,
                                        environment: ["VMFILE_HOME": root.appendingPathComponent("home").path])
            #expect(output.status == 1, "\(command): \(output)")
            let errors = output.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1, "\(command): one error line, not \(errors.count): \(output)")
            #expect(output.stderr.contains("Connecting to libvirt at \(uri)") && output.stderr.contains("virtlogd -d && libvirtd -d"),
                    "\(command): the error says where and what to run: \(output)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".vmfile/machines").path))
    }

    /// The guest's sshd is up but takes none of the keys offered (here: a key the box never heard of).
    /// That is not a boot timeout: the error says the server answered and names the key file.
    @Test func aGuestRejectingTheKeyNamesTheKeyFileNotATimeout() throws {
        let keyDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-fault-key-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: keyDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: keyDirectory) }
        let key = keyDirectory.appendingPathComponent("stranger")
        let made = try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key.path])
        try #require(made.status == 0, "ssh-keygen failed: \(made)")
        let vmfile = "version: 1\nmachines:\n  locked:\n    box: tiny\n    memory: 192MiB\n    boot_timeout: 120\n    ssh: {private_key: \(key.path)}\n"
        try Sandbox.with(vmfile: vmfile) { sandbox in
            let up = try sandbox.run("up")
            #expect(up.status == 1, "\(up)")
            #expect(up.stderr.contains("answered but did not accept a key") && up.stderr.contains(key.path),
                    "the error names the key file: \(up)")
            #expect(!up.stderr.contains("within 120 s"), "not reported as a timeout: \(up)")
        }
    }

    /// `box list` needs libvirt only to say which machines use a box: unreachable, it still lists the
    /// store, with one warning line when `--connect` named the URI and none when the user did not ask
    /// for that URI on the command line.
    @Test func boxListWithoutLibvirtListsTheStoreAndWarnsOnlyForAnExplicitConnect() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-fault-list-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let home = ["VMFILE_HOME": root.appendingPathComponent("home").path]
        let added = try runProcess(E2E.binary.path, ["box", "add", "tiny", E2E.tinyBox.path], in: root, environment: home)
        try #require(added.status == 0, "box add failed: \(added)")
        let uri = "qemu+unix:///system?socket=\(root.path)/no-libvirtd.sock"

        let explicit = try runProcess(E2E.binary.path, ["box", "list", "--connect", uri], in: root, environment: home)
        #expect(explicit.status == 0 && explicit.stdout.hasPrefix("tiny 0 (libvirt"), "\(explicit)")
        let lines = explicit.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains("warning:") == true && explicit.stderr.contains(uri),
                "one warning line naming the URI: \(explicit)")

        let quiet = try runProcess(E2E.binary.path, ["box", "list"], in: root, environment: home.merging(["VMFILE_LIBVIRT_URI": uri]) { $1 })
        #expect(quiet.status == 0 && quiet.stdout.hasPrefix("tiny 0 (libvirt"), "\(quiet)")
        #expect(quiet.stderr.isEmpty, "no --connect, no warning: \(quiet)")
    }

    @Test func aFullBoxStoreFailsTheAddAndKeepsNoPartialBox() throws {
        try #require(geteuid() == 0, "mounting a small file system needs root")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-fault-store-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let mounted = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", root.path])
        try #require(mounted.status == 0, "mount failed: \(mounted)")
        defer {
            _ = try? runProcess("/bin/umount", [root.path])
            try? FileManager.default.removeItem(at: root)
        }
        let home = root.appendingPathComponent("home")
        let added = try runProcess(E2E.binary.path, ["box", "add", "tiny", E2E.tinyBox.path], in: root, environment: ["VMFILE_HOME": home.path])
        #expect(added.status == 1, "\(added)")
        #expect(added.stderr.contains("No space left on device") && added.stderr.contains("free space"), "\(added)")
        let store = home.appendingPathComponent("boxes")
        let kept = ((try? FileManager.default.contentsOfDirectory(atPath: store.path)) ?? []).filter { !$0.hasPrefix(".") }
        #expect(kept.isEmpty, "a partial box is in the store: \(kept)")
        let staging = (try? FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent(".staging").path)) ?? []
        #expect(staging.isEmpty, "staging left behind: \(staging)")
        let list = try runProcess(E2E.binary.path, ["box", "list"], in: root, environment: ["VMFILE_HOME": home.path])
        #expect(list.status == 0 && !list.stdout.contains("tiny"), "\(list)")
    }

    /// The box import into a storage pool that has no room: the user's session pool, on a small
    /// file system mounted for the test (the system pool is shared with other tests).
    @Test func aFullStoragePoolFailsUpCleanlyAndAnUpAfterConverges() throws {
        let user = try UnprivilegedUser()
        let pool = URL(fileURLWithPath: "\(user.home.path)/.local/share/vmfile/pool")
        var unmounted = false
        defer {
            if !unmounted { _ = try? runProcess("/bin/umount", [pool.path]) }
            _ = try? user.remove()
        }
        let project = try user.write("version: 1\nmachines:\n  full: {box: tiny, memory: 192MiB}\n", to: "project/Vmfile")
            .deletingLastPathComponent()
        defer { _ = try? user.vmfile("destroy", "--force", in: project) }
        let added = try user.vmfile("box", "add", "tiny", user.box.path, in: project)
        try #require(added.status == 0, "box add failed: \(added)")
        try FileManager.default.createDirectory(at: pool, withIntermediateDirectories: true)
        _ = try runProcess("/bin/chown", ["-R", "\(user.name):\(user.name)", user.home.appendingPathComponent(".local").path])
        // Half the tiny box's image: the import has to fail part-way.
        let mounted = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=10m,uid=\(user.uid),mode=0755", "tmpfs", pool.path])
        try #require(mounted.status == 0, "mount failed: \(mounted)")

        let up = try user.vmfile("up", in: project)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("No space left on device"), "the error names the cause: \(up)")
        let errors = up.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count <= 2, "one error for the machine (and the summary): \(up)")
        // Nothing half made: no domain, no volume, no temporary file in the pool.
        #expect(try user.virsh("list", "--all", "--name").stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let volumes = try user.virsh("vol-list", "vmfile").stdout
        #expect(!volumes.contains("vmfile-"), "volumes after a failed import: \(volumes)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: pool.path)) ?? []
        #expect(files.isEmpty, "files left in the pool directory: \(files)")

        let released = try runProcess("/bin/umount", [pool.path])
        try #require(released.status == 0, "umount failed: \(released)")
        unmounted = true
        _ = try user.virsh("pool-refresh", "vmfile")
        let again = try user.vmfile("up", in: project)
        #expect(again.status == 0, "up once the pool has room: \(again)")
        let destroyed = try user.vmfile("destroy", "--force", in: project)
        #expect(destroyed.status == 0, "\(destroyed)")
        #expect(try user.virsh("list", "--all", "--name").stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }
}
