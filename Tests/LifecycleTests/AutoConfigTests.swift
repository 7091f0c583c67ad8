import Foundation
import Net
import Spec
import Testing
@testable import Lifecycle

/// `auto_config`: static private and public addresses set over SSH after boot, found by MAC.
@Suite struct AutoConfigTests {
    let quiet = NetworkDefinition(name: "lab", cidr: "10.20.0.0/16", dhcp: false)

    @Test func aStaticAddressOnANetworkWithoutDHCPIsSetOverSSHOnEveryBoot() throws {
        let web = Machine(name: "web", box: "tiny", networks: [.private(PrivateAttachment(network: "lab", ip: "10.20.0.5"))])
        let fixture = try LifecycleFixture(machines: [web], networks: [quiet])
        _ = try fixture.controller.up(web)
        let name = "vmfile-\(fixture.project.id)-lab"
        let plan = try #require(fixture.host.networks[name])
        // No DHCP, so no reservation: the address is the guest's to set.
        #expect(plan.reservations.isEmpty && plan.addresses.map(\.ip.description) == ["10.20.0.5"])
        let mac = PrivateNetworkPlan.mac(domain: fixture.project.domainName(of: "web"), network: name)
        #expect(fixture.guests.staticAddressRequests == ["\(mac) 10.20.0.5/16"])
        #expect(fixture.reporter.lines.contains("web: network lab address 10.20.0.5 set on eth1 (auto_config)"))
        // No lease to wait for on that network.
        #expect(!fixture.reporter.lines.contains { $0.contains("no DHCP lease") })

        // A halted machine loses runtime addresses: `up` applies them again.
        _ = try fixture.controller.halt(web)
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.staticAddressRequests.count == 2)
        // A running machine is left alone.
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.staticAddressRequests.count == 2)
    }

    @Test func autoConfigFalseLeavesTheNICAlone() throws {
        let web = Machine(name: "web", box: "tiny", networks: [
            .private(PrivateAttachment(network: "lab", ip: "10.20.0.5", autoConfig: false)),
            .public(PublicAttachment(bridge: "br-lab", ip: "192.0.2.50", autoConfig: false)),
        ])
        let fixture = try LifecycleFixture(machines: [web], networks: [quiet])
        #expect(try fixture.controller.staticAddresses(of: web).isEmpty)
    }

    @Test func publicAddressesTakeTheirNetmask() throws {
        let web = Machine(name: "web", box: "tiny", networks: [
            .public(PublicAttachment(bridge: "br-lab", ip: "192.0.2.50", netmask: "255.255.0.0")),
            .public(PublicAttachment(dev: "eth9", ip: "198.51.100.7")),
            .public(PublicAttachment(bridge: "br-dhcp")),
        ])
        let fixture = try LifecycleFixture(machines: [web])
        let addresses = try fixture.controller.staticAddresses(of: web)
        #expect(addresses.map(\.cidr) == ["192.0.2.50/16", "198.51.100.7/24"])
        #expect(addresses.map(\.label) == ["public bridge br-lab", "public eth9"])
        #expect(Set(addresses.map(\.mac)).count == 2)
    }

    @Test func aMissingInterfaceIsAnErrorThatSaysWhatToDo() throws {
        let web = Machine(name: "web", box: "tiny", networks: [.private(PrivateAttachment(network: "lab", ip: "10.20.0.5"))])
        let fixture = try LifecycleFixture(machines: [web], networks: [quiet])
        let domain = fixture.project.domainName(of: "web")
        fixture.guests.absentMACs = [PrivateNetworkPlan.mac(domain: domain, network: "vmfile-\(fixture.project.id)-lab")]
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.message.contains("no guest interface has MAC") && error.message.contains("network lab"))
        #expect(error.hint?.contains("auto_config: false") == true)
    }

    @Test func outcomesAreReadPerMAC() {
        let outcomes = StaticAddressScript.outcomes("added 52:54:01:00:00:01 eth1\npresent 52:54:01:00:00:02 eth2\nmissing 52:54:01:00:00:03\nfailed 52:54:01:00:00:04 eth4\nnoise\n")
        #expect(outcomes == [
            "52:54:01:00:00:01": .added(interface: "eth1"), "52:54:01:00:00:02": .present(interface: "eth2"),
            "52:54:01:00:00:03": .missing, "52:54:01:00:00:04": .failed(interface: "eth4"),
        ])
        let command = StaticAddressScript.command([StaticAddress(label: "network lab", mac: "52:54:01:AA:00:01",
                                                                 ip: IPv4Address(value: 0x0A14_0005), prefixLength: 16)])
        #expect(command.hasPrefix("sudo -n sh -c '") && command.hasSuffix("' sh '52:54:01:aa:00:01' '10.20.0.5/16'"))
    }
}
