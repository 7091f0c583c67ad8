import Foundation
import Net
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
        #expect(fixture.reporter.lines.contains { $0.contains("network lab address 192.0.2.10") })
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

    @Test func openVSwitchNetworksAreNamedAsNotAppliedYet() throws {
        let ovs = NetworkDefinition(name: "lab", cidr: "192.168.56.0/24", switch: .ovs, vlan: 7)
        let fixture = try LifecycleFixture(machines: [web], networks: [ovs])
        _ = try fixture.controller.up(web)
        #expect(fixture.reporter.lines.contains { $0.contains("switch: ovs / vlan not applied yet") })
    }
}
