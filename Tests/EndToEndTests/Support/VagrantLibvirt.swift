import Foundation
import Testing

/// A vagrant-libvirt project of its own for one test: a temp `VAGRANT_HOME`, a Vagrantfile for the
/// busybox tiny guests, its own storage pool (in a temp directory), domain prefix and management network
/// (`vle2e`, 192.168.232.0/24, so it never meets another vagrant-libvirt user's), and a cleanup that
/// removes the domain, box, pool with its volumes and network, then says what it could not remove.
final class VagrantLibvirt {
    static let executable = "/usr/bin/vagrant"
    static let network = "vle2e"
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    let root: URL
    let project: URL
    let home: URL
    let id = String(UUID().uuidString.prefix(8)).lowercased()
    var boxName: String { "vle2e-box-\(id)" }
    var pool: String { "vle2e-pool-\(id)" }
    var domain: String { "vle2e-\(id)-default" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vle2e-\(id)")
        project = root.appendingPathComponent("project")
        home = root.appendingPathComponent("vagrant.d")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let poolDirectory = root.appendingPathComponent("pool")
        try FileManager.default.createDirectory(at: poolDirectory, withIntermediateDirectories: true)
        for arguments in [["pool-define-as", pool, "dir", "--target", poolDirectory.path], ["pool-start", pool]] {
            let output = try Self.virsh(arguments)
            try #require(output.status == 0, "virsh \(arguments.joined(separator: " ")): \(output)")
        }
        // The tiny guest: busybox sh, no shutdown, no synced folder tools; TCG with a CPU model QEMU has.
        try """
            Vagrant.configure("2") do |config|
              config.vm.box = "\(boxName)"
              config.vm.box_check_update = false
              config.vm.guest = :linux
              config.vm.boot_timeout = 300
              config.vm.synced_folder ".", "/vagrant", disabled: true
              config.ssh.shell = "sh"
              config.ssh.insert_key = false
              config.vm.provider :libvirt do |libvirt|
                libvirt.driver = "qemu"
                libvirt.cpu_mode = "custom"
                libvirt.cpu_model = "Nehalem"
                libvirt.memory = 256
                libvirt.default_prefix = "vle2e-\(id)-"
                libvirt.storage_pool_name = "\(pool)"
                libvirt.management_network_name = "\(Self.network)"
                libvirt.management_network_address = "192.168.232.0/24"
              end
            end
            """.write(to: project.appendingPathComponent("Vagrantfile"), atomically: true, encoding: .utf8)
    }

    /// Runs vagrant in the project with this test's home; no checkpoint or update traffic leaves the host.
    @discardableResult
    func run(_ arguments: String...) throws -> ProcessOutput {
        try runProcess(Self.executable, arguments, in: project, environment: [
            "VAGRANT_HOME": home.path, "VAGRANT_CHECKPOINT_DISABLE": "1", "VAGRANT_BOX_UPDATE_CHECK_DISABLE": "1",
            "VAGRANT_DEFAULT_PROVIDER": "libvirt", "VAGRANT_NO_COLOR": "1",
        ])
    }

    static func virsh(_ arguments: [String]) throws -> ProcessOutput {
        try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system"] + arguments)
    }

    /// Destroys the machine and removes the box, the pool's volumes, the pool and the network; returns
    /// what is still there afterwards (empty when everything went).
    func tearDown() throws -> [String] {
        _ = try run("destroy", "-f")
        _ = try run("box", "remove", boxName, "--all", "--force")
        if try Self.virsh(["domain-info", domain]).status == 0 {
            _ = try Self.virsh(["destroy", domain])
            _ = try Self.virsh(["undefine", domain, "--remove-all-storage"])
        }
        for volume in try Self.virsh(["vol-list", pool]).stdout.split(separator: "\n").compactMap({ $0.split(separator: " ").first }) {
            _ = try Self.virsh(["vol-delete", String(volume), "--pool", pool])
        }
        _ = try Self.virsh(["pool-destroy", pool])
        _ = try Self.virsh(["pool-undefine", pool])
        if try Self.virsh(["net-info", Self.network]).status == 0 {
            _ = try Self.virsh(["net-destroy", Self.network])
            _ = try Self.virsh(["net-undefine", Self.network])
        }
        try? FileManager.default.removeItem(at: root)
        var left: [String] = []
        if try Self.virsh(["domain-info", domain]).status == 0 { left.append("domain \(domain)") }
        if try Self.virsh(["pool-info", pool]).status == 0 { left.append("pool \(pool)") }
        if try Self.virsh(["net-info", Self.network]).status == 0 { left.append("network \(Self.network)") }
        return left
    }
}
