import Foundation
import Testing

/// Boxes with real guests: a packaged machine boots again as a new box (with the key it ships), and a `.box` assembled by
/// hand per vagrant-libvirt's documented format boots when `up` adds it from `box_url`.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct BoxesEndToEndTests {
    @Test func packageAddAndBootTheCopy() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              solo: {box: tiny, memory: 256MiB}
              copy: {box: roundtrip, memory: 256MiB, autostart: false}
            """)
        defer { _ = try? sandbox.run("destroy", "--force"); _ = try? sandbox.run("box", "remove", "roundtrip", "--all") }
        try #require(try sandbox.run("up", "solo").status == 0)
        // First boot replaced Vagrant's insecure key with the machine's own: the box ships that key, and
        // `up` of the copy logs in with it (no insecure key is left in the guest to fall back on).
        #expect(try sandbox.run("ssh", "solo", "-c", "echo packaged > ~/marker && sync").status == 0)

        let running = try sandbox.run("package", "solo")
        #expect(running.status != 0 && running.stderr.contains("halt it first"), "\(running)")

        let busy = try sandbox.run("box", "remove", "tiny")
        #expect(busy.status != 0 && busy.stderr.contains("solo"), "\(busy)")

        #expect(try sandbox.run("halt", "solo").status == 0)
        let output = sandbox.directory.appendingPathComponent("solo.box")
        let package = try sandbox.run("package", "solo", "--output", output.path)
        try #require(package.status == 0, "\(package)")
        let listing = try runProcess("/bin/tar", ["-tzf", output.path]).stdout.split(separator: "\n")
        #expect(listing == ["metadata.json", "box.img", "Vagrantfile", "vagrant_private_key"])

        let add = try sandbox.run("box", "add", "roundtrip", output.path)
        try #require(add.status == 0, "\(add)")
        #expect(add.stderr.contains("ships a login key"), "\(add)")
        let up = try sandbox.run("up", "copy")
        try #require(up.status == 0, "\(up)")
        #expect(try sandbox.run("ssh", "copy", "-c", "cat ~/marker").stdout == "packaged\n")

        let list = try sandbox.run("box", "list", "--json")
        #expect(list.stdout.contains("\"machine\" : \"copy\""), "\(list)")

        #expect(try sandbox.run("destroy", "--force").status == 0)
        let volume = try Self.poolVolume(of: "roundtrip", in: sandbox)
        #expect(try Self.poolVolumes().contains(volume))
        let remove = try sandbox.run("box", "remove", "roundtrip")
        #expect(remove.status == 0, "\(remove)")
        let volumes = try Self.poolVolumes()
        #expect(!volumes.contains(volume), "\(volumes)")
        #expect(try sandbox.leftovers().isEmpty)
    }

    /// This sandbox's pool volume of box `name` version 0, named by its digest (other suites' runs may
    /// hold a box of that name with other content).
    static func poolVolume(of name: String, in sandbox: Sandbox) throws -> String {
        let digest = try String(contentsOf: sandbox.home.appendingPathComponent("boxes/\(name)/0/libvirt/box.img.sha256"), encoding: .utf8)
        return "vmfile-box-\(name)-0-\(digest.trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))"
    }

    /// `virsh vol-list` of the vmfile pool.
    static func poolVolumes() throws -> String {
        try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "vol-list", "vmfile"]).stdout
    }

    @Test func handAssembledVagrantLibvirtBoxBootsViaBoxURL() throws {
        // Per vagrant-libvirt's "Create Box" docs: metadata.json + box.img (+ Vagrantfile), tar.gz'd.
        let sandbox = try Sandbox(vmfile: "version: 1\nmachines:\n  hand: {box: tiny}\n")
        let served = sandbox.directory.appendingPathComponent("served")
        let parts = sandbox.directory.appendingPathComponent("parts")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: parts, withIntermediateDirectories: true)
        try Data(#"{"provider": "libvirt", "format": "qcow2", "virtual_size": 2}"#.utf8)
            .write(to: parts.appendingPathComponent("metadata.json"))
        try Data("""
            Vagrant.configure("2") do |config|
              config.vm.provider :libvirt do |libvirt|
                libvirt.driver = "kvm"
              end
            end
            """.utf8).write(to: parts.appendingPathComponent("Vagrantfile"))
        try FileManager.default.copyItem(at: E2E.tinyBox.appendingPathComponent("box.img"), to: parts.appendingPathComponent("box.img"))
        let tar = try runProcess("/bin/tar", ["-czf", served.appendingPathComponent("hand.box").path, "-C", parts.path,
                                              "./metadata.json", "./Vagrantfile", "./box.img"])
        try #require(tar.status == 0, "\(tar)")

        // box_url as a path: downloads over http(s) are covered by BoxesTests' loopback server.
        try """
            version: 1
            machines:
              hand:
                box: handmade
                box_url: \(served.appendingPathComponent("hand.box").path)
                memory: 256MiB
            """.write(to: sandbox.vmfilePath, atomically: true, encoding: .utf8)
        defer { _ = try? sandbox.run("destroy", "--force"); _ = try? sandbox.run("box", "remove", "handmade", "--all") }
        let up = try sandbox.run("up")
        try #require(up.status == 0, "\(up)")
        #expect(up.stderr.contains("adding it from") && up.stderr.contains("Vagrantfile"), "\(up)")
        #expect(try sandbox.run("ssh", "-c", "uname -s").stdout == "Linux\n")
        #expect(try sandbox.run("destroy", "--force").status == 0)

        // Other content forced in under the same name and version: the old content's pool volume goes
        // too (no disk is backed by it any more), as `box remove` would have removed it.
        let imported = try Self.poolVolume(of: "handmade", in: sandbox)
        #expect(try Self.poolVolumes().contains(imported))
        let other = sandbox.directory.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data(#"{"provider": "libvirt", "format": "qcow2", "virtual_size": 1}"#.utf8).write(to: other.appendingPathComponent("metadata.json"))
        let image = try runProcess("/usr/bin/qemu-img", ["create", "-q", "-f", "qcow2", other.appendingPathComponent("box.img").path, "1G"])
        try #require(image.status == 0, "\(image)")
        let replace = try sandbox.run("box", "add", "handmade", other.path, "--force")
        #expect(replace.status == 0, "\(replace)")
        let volumes = try Self.poolVolumes()
        #expect(!volumes.contains(imported), "\(volumes)")
        #expect(try sandbox.run("box", "remove", "handmade").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
    }
}
