import Testing
@testable import Spec

/// One machine key: YAML under machine `m`, and what the loaded machine must look like.
struct KeyCase: Sendable, CustomTestStringConvertible {
    let yaml: String
    let check: @Sendable (Machine) -> Bool
    var testDescription: String { yaml.replacingOccurrences(of: "\n", with: " ⏎ ") }

    init(_ yaml: String, _ check: @escaping @Sendable (Machine) -> Bool) {
        self.yaml = yaml
        self.check = check
    }
}

@Suite struct MachineKeyTests {
    @Test func defaultsOfAMinimalMachine() throws {
        let vmfile = try Load.vmfile(Load.machineYAML(""))
        let machine = try #require(vmfile.machines.first)
        #expect(machine == Machine(name: "m", box: "tiny"))
        #expect(machine.cpus == 1)
        #expect(machine.memoryMiB == 512)
        #expect(machine.diskBytes == nil)
        #expect(machine.hostname == "m")
        #expect(machine.primary == false)
        #expect(machine.autostart == true)
        #expect(machine.ssh == SSHSettings(username: "vagrant", port: 22, privateKey: nil, insertKey: true))
        #expect(machine.bootTimeout == 300)
        #expect(machine.gracefulHaltTimeout == 60)
        #expect(machine.forwardedPorts.isEmpty && machine.networks.isEmpty && machine.syncedFolders.isEmpty)
        #expect(vmfile.primaryMachine?.name == "m")
    }

    @Test(arguments: [
        KeyCase("box_version: \">= 1.2, < 2\"") { $0.boxVersion == VersionConstraint(">= 1.2, < 2") },
        KeyCase("box_version: 1.0") { $0.boxVersion == VersionConstraint("= 1.0") },
        KeyCase("box_url: https://example.com/tiny.json") { $0.boxURL == "https://example.com/tiny.json" },
        KeyCase("cpus: 4") { $0.cpus == 4 },
        KeyCase("memory: 2GiB") { $0.memoryMiB == 2048 },
        KeyCase("memory: 512MiB") { $0.memoryMiB == 512 },
        KeyCase("memory: 1G") { $0.memoryMiB == 1024 },
        KeyCase("memory: 512M") { $0.memoryMiB == 512 },
        KeyCase("memory: 1.5G") { $0.memoryMiB == 1536 },
        KeyCase("memory: 768") { $0.memoryMiB == 768 },
        KeyCase("memory: \"768\"") { $0.memoryMiB == 768 },
        KeyCase("memory: 64") { $0.memoryMiB == 64 },
        KeyCase("disk: 20GiB") { $0.diskBytes == 20 << 30 },
        KeyCase("disk: 1MiB") { $0.diskBytes == 1 << 20 },
        KeyCase("disk: 1T") { $0.diskBytes == 1 << 40 },
        KeyCase("hostname: web.example.test") { $0.hostname == "web.example.test" },
        KeyCase("primary: true") { $0.primary },
        KeyCase("autostart: false") { !$0.autostart },
        KeyCase("boot_timeout: 30") { $0.bootTimeout == 30 },
        KeyCase("graceful_halt_timeout: 5") { $0.gracefulHaltTimeout == 5 },
        KeyCase("ssh: {username: root}") { $0.ssh == SSHSettings(username: "root") },
        KeyCase("ssh: {port: 2222, insert_key: false}") { $0.ssh.port == 2222 && !$0.ssh.insertKey },
        KeyCase("forwarded_ports:\n  - {guest: 80, host: 8080}") {
            $0.forwardedPorts == [ForwardedPort(guest: 80, host: 8080, protocol: .tcp, hostIP: "127.0.0.1",
                                                autoCorrect: false, id: "tcp80")]
        },
        KeyCase("forwarded_ports:\n  - {guest: 53, host: 5353, protocol: udp, host_ip: 0.0.0.0, auto_correct: true, id: dns}") {
            $0.forwardedPorts == [ForwardedPort(guest: 53, host: 5353, protocol: .udp, hostIP: "0.0.0.0",
                                                autoCorrect: true, id: "dns")]
        },
        KeyCase("networks:\n  - public: {bridge: br0}") { $0.networks == [.public(PublicAttachment(bridge: "br0"))] },
        KeyCase("networks:\n  - public: {dev: eth0, mode: vepa, ip: 192.168.1.50}") {
            $0.networks == [.public(PublicAttachment(dev: "eth0", mode: .vepa, ip: "192.168.1.50"))]
        },
        KeyCase("networks:\n  - public: {dev: eth0}") {
            $0.networks == [.public(PublicAttachment(dev: "eth0", mode: .bridge))]
        },
        KeyCase("networks:\n  - public: {bridge: br1, ip: 10.1.2.3, netmask: 255.255.0.0, auto_config: false}") {
            $0.networks == [.public(PublicAttachment(bridge: "br1", ip: "10.1.2.3", netmask: "255.255.0.0", autoConfig: false))]
                && $0.networks.first.map { if case .public(let p) = $0 { p.prefixLength == 16 } else { false } } == true
        },
        KeyCase("networks:\n  - public: true\n    bridge: br1\n    ip: 10.1.2.3") {
            $0.networks == [.public(PublicAttachment(bridge: "br1", ip: "10.1.2.3"))]
        },
        KeyCase("synced_folders:\n  - {host: ., guest: /vagrant}") {
            $0.syncedFolders.count == 1 && $0.syncedFolders[0].guest == "/vagrant"
                && $0.syncedFolders[0].type == .rsync && !$0.syncedFolders[0].disabled
                && $0.syncedFolders[0].host.hasPrefix("/") && !$0.syncedFolders[0].host.hasSuffix("/.")
        },
        KeyCase("synced_folders:\n  - {host: missing, guest: /data, type: 9p, disabled: true}") {
            $0.syncedFolders.first?.type == .ninep && $0.syncedFolders.first?.disabled == true
                && $0.syncedFolders.first?.host.hasSuffix("/missing") == true
        },
        KeyCase("synced_folders:\n  - {host: ., guest: /v, type: virtiofs}") { $0.syncedFolders.first?.type == .virtiofs },
        KeyCase("synced_folders:\n  - {host: ., guest: /v, type: nfs}") { $0.syncedFolders.first?.type == .nfs },
    ])
    func parsesKey(_ testCase: KeyCase) throws {
        let machine = try #require(try Load.vmfile(Load.machineYAML(testCase.yaml)).machines.first)
        #expect(testCase.check(machine))
    }

    @Test func privateNetworks() throws {
        let yaml = Load.machineYAML("""
            networks:
              - private: lab
                ip: 192.168.56.10
              - private: lab
                dhcp: true
                auto_config: false
            """, extra: "networks:\n  lab: {cidr: 192.168.56.0/24}\n")
        let machine = try #require(try Load.vmfile(yaml).machines.first)
        #expect(machine.networks == [
            .private(PrivateAttachment(network: "lab", ip: "192.168.56.10", autoConfig: true)),
            .private(PrivateAttachment(network: "lab", ip: nil, autoConfig: false)),
        ])
    }

    @Test func privateKeyResolvesAgainstTheVmfileDirectory() throws {
        try TemporaryDirectory.with(files: ["keys/id": "KEY"]) { directory in
            let vmfile = try VmfileLoader.parse(
                yaml: Load.machineYAML("ssh:\n  private_key: keys/id"), path: "Vmfile", baseDirectory: directory.path)
            #expect(vmfile.machines.first?.ssh.privateKey == directory.path + "/keys/id")
        }
    }

    @Test func machinesKeepDeclarationOrder() throws {
        let yaml = "version: 1\ndefaults: {box: tiny}\nmachines:\n  zeta:\n  alpha:\n  mid:\n"
        #expect(try Load.vmfile(yaml).machines.map(\.name) == ["zeta", "alpha", "mid"])
    }
}
