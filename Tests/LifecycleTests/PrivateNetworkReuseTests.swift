import Net
import Spec
import Testing
@testable import Lifecycle

/// When an existing libvirt network may serve a Vmfile's private network.
struct PrivateNetworkReuseTests {
    func plan(_ definition: NetworkDefinition) throws -> PrivateNetworkPlan {
        try PrivateNetworkPlan(definition, projectID: "demo-abc123", machines: []) { "vmfile-demo-abc123-\($0)" }
    }

    let bridge = NetworkDefinition(name: "lab", cidr: "192.168.56.0/24")
    let ovs = NetworkDefinition(name: "lab", cidr: "192.168.56.0/24", switch: .ovs, vlan: 10)

    @Test func ourBridgeNetworkWithTheDeclaredSubnetIsReused() throws {
        let subnet = try IPv4Network(parsing: "192.168.56.0/24")
        #expect(PrivateNetworkReuse.problem(try plan(bridge), metadata: ["role": "private"], subnets: [subnet]) == nil)
    }

    @Test func someoneElsesNetworkIsNeverReused() throws {
        let problem = PrivateNetworkReuse.problem(try plan(bridge), metadata: nil, subnets: [])
        #expect(problem?.code == .networkConflict && problem?.message.contains("not made by vmfile") == true)
    }

    @Test func aChangedCidrOrSwitchMustBeRecreated() throws {
        let other = try IPv4Network(parsing: "192.168.57.0/24")
        let moved = PrivateNetworkReuse.problem(try plan(bridge), metadata: [:], subnets: [other])
        #expect(moved?.message.contains("192.168.57.0/24") == true)
        let recordedOVS = PrivateNetworkReuse.switchMetadata(try plan(ovs))
        #expect(recordedOVS == ["switch": "ovs", "cidr": "192.168.56.0/24", "vlan": "10"])
        #expect(PrivateNetworkReuse.problem(try plan(ovs), metadata: recordedOVS, subnets: nil) == nil)
        let nowBridge = PrivateNetworkReuse.problem(try plan(bridge), metadata: recordedOVS, subnets: nil)
        #expect(nowBridge?.message.contains("a Linux bridge in the Vmfile") == true, "\(String(describing: nowBridge))")
        var otherVLAN = ovs
        otherVLAN.vlan = 20
        #expect(PrivateNetworkReuse.problem(try plan(otherVLAN), metadata: recordedOVS, subnets: nil) != nil)
    }
}
