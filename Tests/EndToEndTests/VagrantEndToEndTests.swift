import Foundation
import Testing

/// Boxes other tools can use: a machine `vmfile package` exported, and a box `vmfile build` made, boot to
/// SSH in vagrant-libvirt as they are (a packaged box ships the key its guest accepts, with a Vagrantfile
/// pointing at it, as `vagrant package` does; a built one ships the key the build logged in with unless every Vagrant offers it).
@Suite(.serialized, .enabled(if: E2E.enabled && (E2E.required || VagrantLibvirt.installed),
                             "needs libvirt, QEMU, the tiny box and vagrant-libvirt (set VMFILE_E2E=1 to require them)"))
struct VagrantEndToEndTests {
    @Test func aPackagedMachineBootsToSSHInVagrantLibvirt() throws {
        try #require(VagrantLibvirt.installed, "no \(VagrantLibvirt.executable): apt-get install vagrant vagrant-libvirt (scripts/setup does)")
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny, memory: 256MiB}\n") { sandbox in
            try #require(try sandbox.run("up").status == 0)
            // The machine's own key replaced Vagrant's insecure one at first contact: the box must ship it.
            #expect(try sandbox.run("ssh", "-c", "echo packaged > ~/marker && sync").status == 0)
            #expect(try sandbox.run("halt").status == 0)
            let box = sandbox.directory.appendingPathComponent("solo.box")
            let package = try sandbox.run("package", "--output", box.path)
            try #require(package.status == 0, "\(package)")
            let listing = try runProcess("/bin/tar", ["-tzf", box.path]).stdout.split(separator: "\n")
            #expect(listing == ["metadata.json", "box.img", "Vagrantfile", "vagrant_private_key"])
            #expect(try sandbox.run("destroy", "--force").status == 0)

            let ssh = try Self.vagrantSSH(box, "echo ok; cat ~/marker")
            #expect(ssh.status == 0 && ssh.stdout.contains("ok\npackaged"), "\(ssh)")
        }
    }

    @Test func aBuiltBoxBootsToSSHInVagrantLibvirt() throws {
        try #require(VagrantLibvirt.installed, "no \(VagrantLibvirt.executable): apt-get install vagrant vagrant-libvirt (scripts/setup does)")
        try BuildEndToEndTests.requireISO()
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n") { sandbox in
            let output = sandbox.directory.appendingPathComponent("boxes")
            let build = try sandbox.run("build", BuildEndToEndTests.installerDirectory.path, "--output", output.path)
            let id = try BuildEndToEndTests.buildID(build)
            #expect(try BuildEndToEndTests.buildLeftovers(id).isEmpty)
            try #require(build.status == 0, "\(build)")
            // The answer file authorises Vagrant's insecure ed25519 key, which Vagrant 2.3.4 does not offer
            // (only the RSA one): the box ships the key the build logged in with.
            let box = output.appendingPathComponent("vmfile-tiny-installed-1.0.0.box")
            #expect(try runProcess("/bin/tar", ["-tzf", box.path]).stdout.split(separator: "\n")
                    == ["metadata.json", "box.img", "Vagrantfile", "vagrant_private_key"])
            let ssh = try Self.vagrantSSH(box, "echo ok; cat /etc/vmfile-built")
            #expect(ssh.status == 0 && ssh.stdout.contains("ok\nbuilt by vmfile build"), "\(ssh)")
        }
    }

    /// `vagrant box add` of `box` in a vagrant-libvirt project of its own, `vagrant up`, `vagrant ssh -c
    /// command`, `vagrant destroy -f`; then everything vagrant-libvirt made must be gone. Returns the ssh output.
    static func vagrantSSH(_ box: URL, _ command: String) throws -> ProcessOutput {
        let vagrant = try VagrantLibvirt()
        var cleaned = false
        defer { if !cleaned { _ = try? vagrant.tearDown() } }
        let add = try vagrant.run("box", "add", "--name", vagrant.boxName, box.path)
        try #require(add.status == 0, "\(add)")
        let up = try vagrant.run("up", "--provider=libvirt")
        try #require(up.status == 0, "\(up)")
        let ssh = try vagrant.run("ssh", "-c", command)
        let destroy = try vagrant.run("destroy", "-f")
        #expect(destroy.status == 0, "\(destroy)")
        cleaned = true
        let left = try vagrant.tearDown()
        #expect(left.isEmpty, "vagrant-libvirt objects left: \(left)")
        return ssh
    }
}
