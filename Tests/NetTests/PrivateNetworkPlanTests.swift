import Net
import Spec
import Testing

@Suite struct PrivateNetworkPlanTests {
    let lab = NetworkDefinition(name: "lab", cidr: "192.168.56.0/24")
    let machines = [
        Machine(name: "web", box: "tiny", networks: [.private(PrivateAttachment(network: "lab", ip: "192.168.56.10"))]),
        Machine(name: "db", box: "tiny", networks: [.private(PrivateAttachment(network: "lab"))]),
        Machine(name: "other", box: "tiny", networks: [.private(PrivateAttachment(network: "back", ip: "10.0.0.5"))]),
    ]

    func plan(_ definition: NetworkDefinition, project: String = "demo-abc123") throws -> PrivateNetworkPlan {
        try PrivateNetworkPlan(definition, projectID: project, machines: machines) { "vmfile-\(project)-\($0)" }
    }

    @Test func namesAreDeterministicAndTheBridgeFitsIFNAMSIZ() throws {
        let first = try plan(lab), again = try plan(lab), elsewhere = try plan(lab, project: "demo-def456")
        #expect(first == again)
        #expect(first.name == "vmfile-demo-abc123-lab")
        #expect(first.bridge.utf8.count <= 15 && first.bridge.hasPrefix("vmfnet-"))
        #expect(first.bridge != elsewhere.bridge)
    }

    @Test func staticAddressesBecomeReservationsOnThatNetworkOnly() throws {
        let plan = try plan(lab)
        #expect(plan.reservations.count == 1)
        let web = try #require(plan.reservations.first)
        #expect(web.machine == "web" && web.ip.description == "192.168.56.10")
        #expect(web.mac == PrivateNetworkPlan.mac(domain: "vmfile-demo-abc123-web", network: plan.name))
        #expect(web.mac != PrivateNetworkPlan.mac(domain: "vmfile-demo-abc123-web", network: "vmfile-demo-abc123-back"))
        #expect(web.mac.hasPrefix("52:54:01:") && web.mac.count == 17)
    }

    @Test func dhcpRangeDefaultsToTheUpperHalfAndHonoursTheDeclaredOne() throws {
        #expect(try plan(lab).dhcpRange.map { "\($0.lowerBound)-\($0.upperBound)" } == "192.168.56.128-192.168.56.254")
        let declared = NetworkDefinition(name: "lab", cidr: "192.168.56.0/24",
                                         dhcpRange: DHCPRange(start: "192.168.56.50", end: "192.168.56.60"))
        #expect(try plan(declared).dhcpRange.map { "\($0.lowerBound)-\($0.upperBound)" } == "192.168.56.50-192.168.56.60")
        let quiet = try plan(NetworkDefinition(name: "lab", cidr: "192.168.56.0/24", dhcp: false))
        #expect(quiet.dhcpRange == nil)
        // Without DHCP nothing is reserved; the static address is auto_config's to set.
        #expect(quiet.reservations.isEmpty && quiet.addresses.map(\.ip.description) == ["192.168.56.10"])
        #expect(try plan(NetworkDefinition(name: "lab", cidr: "10.9.0.0/16", mode: .nat)).nat)
    }

    @Test func overlapsAreFound() throws {
        let plan = try plan(lab)
        let route = try IPv4Network(parsing: "192.168.0.0/16")
        #expect(plan.overlap(in: [try IPv4Network(parsing: "10.0.0.0/8"), route]) == route)
        #expect(plan.overlap(in: [try IPv4Network(parsing: "192.168.57.0/24")]) == nil)
    }
}
