import Foundation
import Hypervisor
import Net
import Provisioner
import Spec
import Testing
@testable import Lifecycle

@Suite struct PrivateNetworksTests {
    let lab = NetworkDefinition(name: "lab", cidr: "192.168.56.0/24")
    let web = Machine(name: "web", box: "tiny", networks: [.private(PrivateAttachment(network: "lab", ip: "192.168.56.10"))])
    let db = Machine(name: "db", box: "tiny", networks: [.private(PrivateAttachment(network: "lab"))])

    @Test func upCreatesTheNetworkAndASecondNICWithAFixedMAC() throws {
        let fixture = try LifecycleFixture(machines: [web, db], networks: [lab])
        _ = try fixture.controller.up(web)
        let name = "vmfile-\(fixture.project.id)-lab"
        let network = try #require(fixture.host.networks[name])
        #expect(network.reservations.map(\.ip.description) == ["192.168.56.10"])
        let plan = try #require(fixture.host.domains[fixture.project.domainName(of: "web")]?.plan)
        #expect(plan.networks == [NetworkAttachment(network: name, mac: network.reservations[0].mac)])
        #expect(plan.metadata.networks == [name])
        #expect(fixture.reporter.lines.contains { $0.contains("network lab 192.168.56.0/24 as 192.168.56.10") })
        #expect(fixture.reporter.lines.contains { $0.contains("network lab address 192.168.56.10 set on eth1 (auto_config)") })
        #expect(fixture.host.reservations[name] == [network.reservations[0].mac: "192.168.56.10"])
        #expect(!fixture.reporter.lines.contains { $0.contains("not applied") })
    }

    @Test func theLastMachineDestroyedTakesTheNetwork() throws {
        let fixture = try LifecycleFixture(machines: [web, db], networks: [lab])
        let name = "vmfile-\(fixture.project.id)-lab"
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.up(db)
        _ = try fixture.controller.destroy(web)
        #expect(fixture.host.networks[name] != nil)
        _ = try fixture.controller.destroy(db)
        #expect(fixture.host.networks[name] == nil)
        #expect(fixture.reporter.lines.contains { $0.contains("network lab removed") })
    }

    let api = Machine(name: "api", box: "tiny", networks: [.private(PrivateAttachment(network: "lab", ip: "192.168.56.11"))])

    /// web and api up on `lab`, each with its static address; returns the fixture and the network's name.
    func twoStaticMachines() throws -> (LifecycleFixture, String) {
        let fixture = try LifecycleFixture(machines: [web, api], networks: [lab])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.up(api)
        return (fixture, "vmfile-\(fixture.project.id)-lab")
    }

    @Test func aDestroyedMachineLeavesNoReservationInANetworkThatStays() throws {
        let (fixture, name) = try twoStaticMachines()
        #expect(fixture.host.reservations[name]?.values.sorted() == ["192.168.56.10", "192.168.56.11"])
        _ = try fixture.controller.destroy(web)
        #expect(fixture.host.reservations[name]?.values.sorted() == ["192.168.56.11"])
        #expect(fixture.reporter.lines.contains("web: network lab: reservation of 192.168.56.10 removed (other machines stay on it)"))
        // A machine that never joined (db has no static address) removes nothing and says nothing.
        _ = try fixture.controller.destroy(db)
        #expect(fixture.host.reservations[name]?.values.sorted() == ["192.168.56.11"])
    }

    @Test func aChangedStaticAddressReplacesTheReservationWhenTheMachineStartsAgain() throws {
        let (fixture, name) = try twoStaticMachines()
        _ = try fixture.controller.halt(web)
        // The Vmfile now gives web another address (the one api had, api now another): both stale entries go.
        var changed = fixture.project.vmfile
        let moved = Machine(name: "web", box: "tiny", networks: [.private(PrivateAttachment(network: "lab", ip: "192.168.56.11"))])
        changed.machines = [moved, Machine(name: "api", box: "tiny", networks: [.private(PrivateAttachment(network: "lab", ip: "192.168.56.12"))])]
        let controller = MachineController(project: Project(vmfile: changed), host: fixture.host, guests: fixture.guests,
                                           boxes: fixture.controller.boxes, reporter: fixture.reporter)
        _ = try controller.up(moved)
        let mac = PrivateNetworkPlan.mac(domain: fixture.project.domainName(of: "web"), network: name)
        #expect(fixture.host.reservations[name] == [mac: "192.168.56.11"])
    }

    @Test func reservationChangesReplaceStaleEntriesOnly() throws {
        let ip = { (text: String) in IPv4Address(text) ?? .any }
        let wanted = DHCPHost(mac: "52:54:01:00:00:01", ip: ip("10.0.0.5"), name: "web")
        let other = DHCPHost(mac: "52:54:01:00:00:02", ip: ip("10.0.0.6"), name: "db")
        #expect(LibvirtMachineHost.reservationChanges(existing: [wanted, other], wanted: wanted) == ([], nil))
        #expect(LibvirtMachineHost.reservationChanges(existing: [other], wanted: wanted) == ([], wanted))
        let moved = DHCPHost(mac: wanted.mac, ip: ip("10.0.0.9"), name: "web")
        let taken = DHCPHost(mac: "52:54:01:00:00:03", ip: wanted.ip, name: "gone")
        let changes = LibvirtMachineHost.reservationChanges(existing: [moved, other, taken], wanted: wanted)
        #expect(changes.remove == [moved, taken] && changes.add == wanted)
    }

    @Test func openVSwitchNetworksAreCheckedBeforeAnythingIsMade() throws {
        let ovs = NetworkDefinition(name: "lab", cidr: "192.168.56.0/24", dhcp: false, switch: .ovs, vlan: 7)
        let fixture = try LifecycleFixture(machines: [web], networks: [ovs])
        fixture.host.openVSwitchError = LifecycleError(.unavailable, "Open vSwitch is not running")
        #expect(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(fixture.host.calls == [.requireOpenVSwitch])

        fixture.host.openVSwitchError = nil
        _ = try fixture.controller.up(web)
        let plan = try #require(fixture.host.networks["vmfile-\(fixture.project.id)-lab"])
        #expect(plan.openvswitch && plan.vlan == 7 && plan.dhcpRange == nil && plan.reservations.isEmpty)
        // No DHCP there: auto_config sets the static address, and nothing waits for a lease.
        #expect(fixture.reporter.lines.contains { $0.contains("network lab address 192.168.56.10 set on eth1 (auto_config)") })
        #expect(!fixture.reporter.lines.contains { $0.contains("not applied") || $0.contains("no DHCP lease") })
    }
}
