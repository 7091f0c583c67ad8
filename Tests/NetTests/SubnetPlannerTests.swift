import Spec

import Testing
@testable import Net

@Suite struct SubnetPlannerTests {
    @Test func skipsCandidatesOverlappingUsedSubnets() throws {
        let used = [try IPv4Network(parsing: "192.168.123.0/24"), try IPv4Network(parsing: "192.168.124.128/25"), try IPv4Network(parsing: "10.0.0.0/8")]
        let chosen = SubnetPlanner.firstFree(SubnetPlanner.managementCandidates, avoiding: used)
        #expect(chosen?.description == "192.168.125.0/24")
    }

    @Test func aWideRouteBlocksEveryCandidate() throws {
        let chosen = SubnetPlanner.firstFree(SubnetPlanner.managementCandidates, avoiding: [try IPv4Network(parsing: "192.168.0.0/16")])
        #expect(chosen == nil)
    }

    @Test func readsTheKernelRouteTableSkippingTheDefaultRoute() {
        let table = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
            eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            virbr0\t007BA8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            """
        #expect(SubnetPlanner.hostRoutes(routeTable: table).map(\.description) == ["192.168.0.0/24", "192.168.123.0/24"])
    }
}
