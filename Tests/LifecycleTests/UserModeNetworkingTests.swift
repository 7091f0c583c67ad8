import Foundation
import Net
import Spec
import Testing
@testable import Lifecycle

/// Session connections: the management NIC is QEMU user-mode networking, SSH and `forwarded_ports`
/// are QEMU host forwards chosen before boot.
@Suite struct UserModeNetworkingTests {
    let web = Machine(name: "web", box: "tiny", forwardedPorts: [ForwardedPort(guest: 80, host: 8080)])

    func sessionFixture(_ machines: [Machine], networks: [NetworkDefinition] = []) throws -> LifecycleFixture {
        let fixture = try LifecycleFixture(machines: machines, networks: networks)
        fixture.host.managementMode = .userMode
        return fixture
    }

    func forward(_ port: Int, to guest: Int, _ proto: ForwardedPort.TransportProtocol = .tcp, address: String = "127.0.0.1") -> GuestForward {
        GuestForward(host: HostEndpoint(protocol: proto, address: address, port: port), guestPort: guest)
    }

    @Test func upForwardsSSHFirstThenTheDeclaredPortsAndReachesSSHOnLoopback() throws {
        let fixture = try sessionFixture([web])
        let outcome = try fixture.controller.up(web)
        #expect(outcome == .created(address: "127.0.0.1:2222"))
        let plan = try #require(fixture.host.domains[fixture.project.domainName(of: "web")]?.plan)
        #expect(plan.userModeForwards == [forward(2222, to: 22), forward(8080, to: 80)])
        // No libvirt network, no kernel rules.
        #expect(!fixture.host.calls.contains(.prepareManagementNetwork))
        #expect(fixture.host.forwarder.installed.isEmpty)
        #expect(try fixture.controller.sshTarget(of: web) == SSHTarget(host: "127.0.0.1", port: 2222))
        #expect(fixture.controller.recordedPorts(of: web)?.map(\.id) == ["ssh", "tcp80"])
        let status = try #require(try fixture.controller.statuses([web]).first)
        #expect(status.ssh == "127.0.0.1:2222" && status.address == nil)
        #expect(fixture.reporter.lines.contains { $0.contains("user-mode networking, forwards 127.0.0.1:2222→22/tcp, 127.0.0.1:8080→80/tcp") })
        #expect(!fixture.reporter.lines.contains { $0.contains("not applied") })
    }

    @Test func aTakenSSHPortMovesAndTheOpenSSHAccessFollowsIt() throws {
        let fixture = try sessionFixture([web])
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2222))
        _ = try fixture.controller.up(web)
        #expect(try fixture.controller.sshTarget(of: web) == SSHTarget(host: "127.0.0.1", port: 2200))
        try "ssh-ed25519 AAAAfakehostkey".write(to: fixture.project.files(of: "web").hostKey, atomically: true, encoding: .utf8)
        let access = try fixture.controller.openSSHAccess(to: web)
        #expect(access.address == "127.0.0.1" && access.port == 2200)
    }

    @Test func aHaltedMachineBootsWithFreshlyCheckedForwards() throws {
        let fixture = try sessionFixture([web])
        let domain = fixture.project.domainName(of: "web")
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.halt(web)
        // Someone took the recorded SSH port while it was halted.
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2222))
        #expect(try fixture.controller.up(web) == .started(address: "127.0.0.1:2200"))
        let calls = fixture.host.calls
        let set = try #require(calls.firstIndex(of: .setUserModeForwards(domain)))
        #expect(calls.lastIndex(of: .start(domain)).map { $0 > set } == true)
        #expect(fixture.host.domains[domain]?.plan.userModeForwards?.first == forward(2200, to: 22))
    }

    @Test func aRunningMachineKeepsItsForwards() throws {
        let fixture = try sessionFixture([web])
        _ = try fixture.controller.up(web)
        // Its own QEMU holds the ports now; a rerun must not mistake them for conflicts.
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2222))
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 8080))
        #expect(try fixture.controller.up(web) == .alreadyRunning)
        #expect(fixture.host.calls.filter(\.isSetUserModeForwards).isEmpty)
    }

    @Test func aTakenDeclaredPortFailsBeforeAnythingIsMade() throws {
        let fixture = try sessionFixture([web])
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "0.0.0.0", port: 8080))
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.code == .portConflict && error.message.contains("machine 'web'") && error.message.contains("tcp80"))
        #expect(fixture.host.domains.isEmpty && fixture.host.volumes.isEmpty)
    }

    @Test func siblingsGetDistinctSSHPorts() throws {
        let a = Machine(name: "a", box: "tiny"), b = Machine(name: "b", box: "tiny")
        let fixture = try sessionFixture([a, b])
        _ = try fixture.controller.up(a)
        _ = try fixture.controller.up(b)
        #expect(try [a, b].compactMap { try fixture.controller.sshTarget(of: $0)?.port } == [2222, 2200])
    }

    @Test func anSSHEntryInForwardedPortsReplacesTheDefault() throws {
        let custom = Machine(name: "web", box: "tiny", forwardedPorts: [ForwardedPort(guest: 22, host: 2022, id: "ssh")])
        let fixture = try sessionFixture([custom])
        _ = try fixture.controller.up(custom)
        let plan = try #require(fixture.host.domains[fixture.project.domainName(of: "web")]?.plan)
        #expect(plan.userModeForwards == [forward(2022, to: 22)])
    }

    @Test(arguments: [
        MachineNetwork.private(PrivateAttachment(network: "lab")),
        MachineNetwork.public(PublicAttachment(bridge: "br0")),
    ])
    func rootOnlyNetworksAreRefusedBeforeAnythingIsMade(_ network: MachineNetwork) throws {
        let machine = Machine(name: "web", box: "tiny", networks: [network])
        let fixture = try sessionFixture([machine], networks: [NetworkDefinition(name: "lab", cidr: "192.168.56.0/24")])
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(machine) }
        #expect(error.code == .unsupported)
        #expect(error.message.contains("machine 'web'") && error.message.contains("qemu:///session"))
        #expect(error.hint?.contains("libvirt group") == true && error.hint?.contains("root") == true)
        #expect(fixture.host.calls.isEmpty)
    }
}
