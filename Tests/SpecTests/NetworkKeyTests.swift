import Testing
@testable import Spec

@Suite struct NetworkKeyTests {
    private func network(_ body: String) throws -> NetworkDefinition? {
        let yaml = "version: 1\nnetworks:\n  lab: \(body)\nmachines:\n  m: {box: tiny}\n"
        return try Load.vmfile(yaml).network(named: "lab")
    }

    @Test func defaults() throws {
        #expect(try network("{cidr: 10.0.0.0/24}") == NetworkDefinition(
            name: "lab", cidr: "10.0.0.0/24", dhcp: true, dhcpRange: nil, mode: .isolated, switch: .bridge, vlan: nil))
    }

    @Test func everyKey() throws {
        let parsed = try network("""
            {cidr: 10.0.0.0/16, dhcp: true, dhcp_range: {start: 10.0.1.10, end: 10.0.1.20}, mode: nat, switch: bridge}
            """)
        #expect(parsed == NetworkDefinition(
            name: "lab", cidr: "10.0.0.0/16", dhcp: true, dhcpRange: DHCPRange(start: "10.0.1.10", end: "10.0.1.20"),
            mode: .nat, switch: .bridge, vlan: nil))
    }

    @Test func openVSwitchWithVLANHasNoDHCP() throws {
        #expect(try network("{cidr: 10.0.0.0/16, switch: ovs, vlan: 42}") == NetworkDefinition(
            name: "lab", cidr: "10.0.0.0/16", dhcp: false, mode: .isolated, switch: .ovs, vlan: 42))
    }

    @Test func dhcpOff() throws {
        #expect(try network("{cidr: 10.0.0.0/24, dhcp: false}")?.dhcp == false)
    }

    @Test func networksKeepDeclarationOrder() throws {
        let yaml = """
            version: 1
            networks:
              b: {cidr: 10.0.2.0/24}
              a: {cidr: 10.0.1.0/24}
            machines:
              m: {box: tiny}
            """
        #expect(try Load.vmfile(yaml).networks.map(\.name) == ["b", "a"])
    }
}
