import FoundationXML
import Foundation
import Testing
@testable import Hypervisor

@Suite struct InterfaceXMLTests {
    func element(_ nic: NICSpec) throws -> XMLElement {
        try XMLDocument(xmlString: DomainXML.interface(nic)).rootElement().map { $0 } ?? XMLElement(name: "none")
    }

    func value(_ root: XMLElement, _ path: String) throws -> [String] {
        try root.nodes(forXPath: path).compactMap(\.stringValue)
    }

    @Test func networkNICKeepsItsShape() throws {
        let root = try element(NICSpec(network: "vmfile-mgmt", mac: "52:54:00:12:34:56"))
        #expect(root.attribute(forName: "type")?.stringValue == "network")
        #expect(try value(root, "source/@network") == ["vmfile-mgmt"])
        #expect(try value(root, "mac/@address") == ["52:54:00:12:34:56"])
        #expect(try root.nodes(forXPath: "virtualport").isEmpty && root.nodes(forXPath: "vlan").isEmpty)
    }

    @Test func bridgeAndMacvtapNICs() throws {
        let bridge = try element(NICSpec(source: .bridge("br-lab")))
        #expect(bridge.attribute(forName: "type")?.stringValue == "bridge")
        #expect(try value(bridge, "source/@bridge") == ["br-lab"])

        let direct = try element(NICSpec(source: .direct(device: "eth1", mode: "vepa"), mac: "52:54:02:00:00:01"))
        #expect(direct.attribute(forName: "type")?.stringValue == "direct")
        #expect(try value(direct, "source/@dev") == ["eth1"] && value(direct, "source/@mode") == ["vepa"])
        #expect(try value(direct, "model/@type") == ["virtio"])
    }

    @Test func openVSwitchPortWithVLAN() throws {
        let root = try element(NICSpec(source: .bridge("ovsbr0"), openvswitch: true, vlan: 42))
        #expect(try value(root, "virtualport/@type") == ["openvswitch"])
        #expect(try value(root, "vlan/tag/@id") == ["42"])
        // macvtap cannot carry an OVS port.
        let direct = try element(NICSpec(source: .direct(device: "eth1", mode: "bridge"), openvswitch: true))
        #expect(try direct.nodes(forXPath: "virtualport").isEmpty)
    }

    @Test func checksumOffloadCanBeTurnedOffForUserspaceSwitchPorts() throws {
        var nic = NICSpec(network: "vmfile-p-vl", mac: "52:54:01:00:00:01")
        #expect(try element(nic).nodes(forXPath: "driver").isEmpty)
        nic.checksumOffload = false
        let root = try element(nic)
        #expect(try value(root, "driver/host/@csum") == ["off"] && value(root, "driver/guest/@csum") == ["off"])
    }

    @Test func namesAreEscaped() throws {
        let xml = DomainXML.interface(NICSpec(source: .bridge("a'b<c")))
        #expect(xml.contains("a&apos;b&lt;c") || xml.contains("a&#39;b&lt;c"))
        #expect((try? XMLDocument(xmlString: xml)) != nil)
    }
}
