import Spec
import FoundationXML
import Foundation
import Testing
@testable import Hypervisor

@Suite struct NetworkXMLTests {
    @Test func subnetHelpersTheNetworkXMLUses() throws {
        let subnet = try IPv4Network(parsing: "10.42.7.0/24")
        #expect(subnet.gatewayAddress.description == "10.42.7.1")
        #expect(subnet.lastHostAddress.description == "10.42.7.254")
        #expect(subnet.netmaskAddress.description == "255.255.255.0")
    }

    @Test(arguments: ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/4", "300.1.1.1/24", "1.2.3/24", "a.b.c.d/24", "10.0.0.9/24"])
    func networkSpecRejectsBadCIDR(text: String) {
        #expect(throws: HypervisorError.self) { try NetworkSpec(name: "n", bridge: "br-n", cidr: text) }
    }

    @Test func natNetworkXML() throws {
        let spec = try NetworkSpec(
            name: "vmfile-abc-mgmt", bridge: "vmf-abc-mgmt", cidr: "10.42.7.0/24",
            hosts: [DHCPHost(mac: "52:54:00:AA:BB:CC", ip: try #require(IPv4Address("10.42.7.10")), name: "web")],
            metadata: ["project": "/p"]
        )
        let xml = NetworkXML.make(spec)
        let root = try #require(try XMLDocument(xmlString: xml).rootElement())
        #expect(try root.nodes(forXPath: "forward/@mode").first?.stringValue == "nat")
        #expect(try root.nodes(forXPath: "bridge/@name").first?.stringValue == "vmf-abc-mgmt")
        #expect(try root.nodes(forXPath: "ip/@address").first?.stringValue == "10.42.7.1")
        #expect(try root.nodes(forXPath: "ip/dhcp/range/@start").first?.stringValue == "10.42.7.2")
        #expect(try root.nodes(forXPath: "ip/dhcp/range/@end").first?.stringValue == "10.42.7.254")
        #expect(try root.nodes(forXPath: "ip/dhcp/host/@mac").first?.stringValue == "52:54:00:aa:bb:cc")
        #expect(NetworkXML.parseMetadata(xml) == ["project": "/p"])
        #expect(NetworkXML.ipv4Subnets(in: xml) == [spec.subnet])
        #expect(NetworkXML.ipv4Subnets(in: "<ip family='ipv6' address='fd00::1' prefix='64'/><ip address='192.168.5.1' prefix='24'/>").map(\.description) == ["192.168.5.0/24"])
    }

    @Test func isolatedWithoutDHCP() throws {
        let xml = NetworkXML.make(try NetworkSpec(name: "n", bridge: "br", cidr: "192.168.77.0/24", dhcp: false, mode: .isolated))
        #expect(!xml.contains("<forward"))
        #expect(!xml.contains("<dhcp>"))
        #expect(NetworkXML.parseMetadata(xml) == [:])
        #expect(NetworkXML.parseMetadata("<network><name>default</name></network>") == nil)
    }

    @Test func openVSwitchNetworkPlugsPortsIntoAnExistingBridgeWithItsVLAN() throws {
        let spec = try NetworkSpec(name: "vmfile-p-lab", bridge: "vmfnet-0a1b2c3d", cidr: "10.9.0.0/24", dhcp: false,
                                   mode: .isolated, metadata: ["switch": "ovs"], switch: .openvswitch(vlan: 42))
        let xml = NetworkXML.make(spec)
        let root = try #require(try XMLDocument(xmlString: xml).rootElement())
        #expect(try root.nodes(forXPath: "forward/@mode").first?.stringValue == "bridge")
        #expect(try root.nodes(forXPath: "bridge/@name").first?.stringValue == "vmfnet-0a1b2c3d")
        #expect(try root.nodes(forXPath: "virtualport/@type").first?.stringValue == "openvswitch")
        #expect(try root.nodes(forXPath: "vlan/tag/@id").first?.stringValue == "42")
        // libvirt does not address, serve or STP an OVS bridge.
        #expect(try root.nodes(forXPath: "ip").isEmpty && root.nodes(forXPath: "bridge/@stp").isEmpty)
        #expect(NetworkXML.parseMetadata(xml) == ["switch": "ovs"])
        let untagged = NetworkXML.make(try NetworkSpec(name: "n", bridge: "br", cidr: "10.9.0.0/24", dhcp: false, mode: .isolated,
                                                        switch: .openvswitch(vlan: nil)))
        #expect(!untagged.contains("<vlan>") && untagged.contains("openvswitch"))
        #expect(throws: HypervisorError.self) {
            try NetworkSpec(name: "n", bridge: "br", cidr: "10.9.0.0/24", dhcp: false, mode: .isolated, switch: .openvswitch(vlan: 4095))
        }
        #expect(throws: HypervisorError.self) { try NetworkSpec(name: "n", bridge: "br", cidr: "10.9.0.0/24", switch: .openvswitch(vlan: 7)) }
    }

    @Test func dhcpHostsAreReadBackWithoutDNSHosts() throws {
        let xml = """
            <network><ip address='10.1.2.1' netmask='255.255.255.0'><dhcp><range start='10.1.2.100' end='10.1.2.200'/>
            <host mac='52:54:01:AA:00:01' name='web' ip='10.1.2.10'/><host mac='52:54:01:aa:00:02' ip='10.1.2.11'/></dhcp></ip>
            <dns><host ip='10.1.2.50'><hostname>x</hostname></host></dns></network>
            """
        let hosts = NetworkXML.dhcpHosts(in: xml)
        #expect(hosts.map(\.mac) == ["52:54:01:aa:00:01", "52:54:01:aa:00:02"])
        #expect(hosts.map(\.ip.description) == ["10.1.2.10", "10.1.2.11"] && hosts.map(\.name) == ["web", nil])
    }

    @Test func rejectsLongBridgeAndOutsideReservations() throws {
        #expect(throws: HypervisorError.self) { try NetworkSpec(name: "n", bridge: "sixteen-chars-xx", cidr: "10.1.2.0/24") }
        let outside = try #require(IPv4Address("10.9.9.9"))
        #expect(throws: HypervisorError.self) {
            try NetworkSpec(name: "n", bridge: "br", cidr: "10.1.2.0/24", hosts: [DHCPHost(mac: "52:54:00:00:00:01", ip: outside)])
        }
    }
}
