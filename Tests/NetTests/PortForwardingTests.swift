import Foundation
import Net
import Spec
import Testing

@Suite struct NFTablesRuleSetTests {
    let guest = IPv4Address(value: 0xC0A8_7B4D)  // 192.168.123.77
    let owner = "vmfile-demo-abc123-web"

    @Test func replaceRendersOneTransactionPerMachine() {
        let script = NFTablesRuleSet.replace(owner: owner, mappings: [
            PortMapping(id: "tcp80", protocol: .tcp, hostIP: "127.0.0.1", hostPort: 8080, guestPort: 80),
            PortMapping(id: "udp53", protocol: .udp, hostIP: "0.0.0.0", hostPort: 5353, guestPort: 53),
        ], guest: guest)
        let lines = script.split(separator: "\n").map(String.init)
        #expect(lines.first == "add table ip vmfile")
        // Chains are declared and flushed before any rule: a rerun replaces, never appends.
        let firstRule = lines.firstIndex { $0.hasPrefix("add rule") } ?? 0
        #expect(lines[..<firstRule].filter { $0.hasPrefix("flush chain") }.count == 3)
        #expect(lines.contains("add rule ip vmfile \(owner)-out ip daddr 127.0.0.1 tcp dport 8080 dnat to 192.168.123.77:80 comment \"tcp80\""))
        // Loopback cannot arrive from outside: no prerouting rule for it, one for 0.0.0.0.
        #expect(!lines.contains { $0.contains("\(owner)-pre ip daddr 127.0.0.1") })
        #expect(lines.contains("add rule ip vmfile \(owner)-pre fib daddr type local udp dport 5353 dnat to 192.168.123.77:53 comment \"udp53\""))
        #expect(lines.contains("add rule ip vmfile \(owner)-post ct status dnat ip saddr 127.0.0.0/8 ip daddr 192.168.123.77 tcp dport 80 masquerade comment \"tcp80\""))
        #expect(!script.contains("  "))
    }

    @Test func removeIsIdempotentAndTouchesOnlyTheOwner() {
        let script = NFTablesRuleSet.remove(owner: owner)
        for chain in NFTablesRuleSet.chains(of: owner) {
            // `add` first, so deleting a chain that does not exist is not an error.
            let add = script.range(of: "add chain ip vmfile \(chain) ")
            let delete = script.range(of: "delete chain ip vmfile \(chain)\n")
            #expect(add != nil && delete != nil)
            if let add, let delete { #expect(add.lowerBound < delete.lowerBound) }
        }
        #expect(!script.contains("delete table"))
    }

    @Test func listingYieldsOtherMachinesEndpoints() {
        let listing = """
            table ip vmfile {
            \tchain vmfile-p-1-a-pre {
            \t\ttype nat hook prerouting priority dstnat; policy accept;
            \t\tfib daddr type local udp dport 5353 dnat to 192.168.123.5:53 comment "udp53"
            \t}
            \tchain vmfile-p-1-a-out {
            \t\ttype nat hook output priority -100; policy accept;
            \t\tip daddr 127.0.0.1 tcp dport 8080 dnat to 192.168.123.5:80 comment "tcp80"
            \t\tfib daddr type local udp dport 5353 dnat to 192.168.123.5:53 comment "udp53"
            \t}
            \tchain vmfile-p-1-b-out {
            \t\ttype nat hook output priority -100; policy accept;
            \t\tip daddr 127.0.0.1 tcp dport 9090 dnat to 192.168.123.6:80 comment "tcp80"
            \t}
            }
            """
        let others = NFTablesRuleSet.endpoints(in: listing, excludingOwner: "vmfile-p-1-b")
        #expect(others == [
            HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 8080),
            HostEndpoint(protocol: .udp, address: "0.0.0.0", port: 5353),
        ])
    }
}

@Suite struct PortAllocatorTests {
    @Test func freePortsAreKeptAsDeclared() throws {
        var allocator = PortAllocator(taken: [], probe: { _ in .free })
        let mappings = try allocator.allocate([ForwardedPort(guest: 80, host: 8080), ForwardedPort(guest: 53, host: 5353, protocol: .udp)],
                                              previous: [])
        #expect(mappings.map(\.hostPort) == [8080, 5353])
        #expect(mappings.allSatisfy { !$0.isCorrected })
    }

    @Test func conflictWithoutAutoCorrectIsAnError() {
        var bound = PortAllocator(taken: [], probe: { $0.port == 8080 ? .inUse : .free })
        #expect(throws: PortAllocationError(port: ForwardedPort(guest: 80, host: 8080), reason: .boundByProcess)) {
            try bound.allocate([ForwardedPort(guest: 80, host: 8080)], previous: [])
        }
        // 0.0.0.0 forwarded elsewhere collides with 127.0.0.1 here.
        var forwarded = PortAllocator(taken: [HostEndpoint(protocol: .tcp, address: "0.0.0.0", port: 8080)], probe: { _ in .free })
        #expect(throws: PortAllocationError(port: ForwardedPort(guest: 80, host: 8080), reason: .forwardedByVmfile)) {
            try forwarded.allocate([ForwardedPort(guest: 80, host: 8080)], previous: [])
        }
        // Another protocol does not collide.
        var udp = PortAllocator(taken: [HostEndpoint(protocol: .udp, address: "0.0.0.0", port: 8080)], probe: { _ in .free })
        #expect((try? udp.allocate([ForwardedPort(guest: 80, host: 8080)], previous: []))?.first?.hostPort == 8080)
    }

    @Test func autoCorrectPicksFromTheRangeAndRerunsKeepTheirChoice() throws {
        let port = ForwardedPort(guest: 22, host: 2222, autoCorrect: true)
        var allocator = PortAllocator(taken: [HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2200)],
                                      probe: { $0.port == 2222 || $0.port == 2201 ? .inUse : .free })
        let first = try allocator.allocate([port], previous: [])
        #expect(first.first?.hostPort == 2202)
        #expect(first.first?.isCorrected == true && first.first?.requestedHostPort == 2222)

        // The next run prefers what the last one chose, if still free.
        let earlier = [PortMapping(id: "tcp22", protocol: .tcp, hostIP: "127.0.0.1", hostPort: 2250, guestPort: 22, requestedHostPort: 2222)]
        var rerun = PortAllocator(taken: [], probe: { $0.port == 2222 ? .inUse : .free })
        #expect(try rerun.allocate([port], previous: earlier).first?.hostPort == 2250)
    }

    @Test func twoAutoCorrectedPortsOfOneMachineDoNotShare() throws {
        var allocator = PortAllocator(taken: [], probe: { $0.port == 80 ? .inUse : .free })
        let mappings = try allocator.allocate([
            ForwardedPort(guest: 80, host: 80, autoCorrect: true, id: "a"),
            ForwardedPort(guest: 81, host: 80, hostIP: "127.0.0.2", autoCorrect: true, id: "b"),
        ], previous: [])
        #expect(mappings.map(\.hostPort) == [2200, 2200] || mappings.map(\.hostPort) == [2200, 2201])
        #expect(Set(mappings.map(\.hostEndpoint)).count == 2)
    }

    @Test func aForeignAddressIsNeverCorrected() {
        var allocator = PortAllocator(taken: [], probe: { _ in .addressNotLocal })
        #expect(throws: PortAllocationError.self) {
            try allocator.allocate([ForwardedPort(guest: 80, host: 8080, hostIP: "203.0.113.9", autoCorrect: true)], previous: [])
        }
    }
}

@Suite struct PortProbeTests {
    @Test func aListeningSocketIsInUseAndAClosedOneFree() throws {
        // Bind an ephemeral loopback port, see it reported in use, close it, see it free.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let endpoint = HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)))
        #expect(PortProbe.availability(of: endpoint) == .inUse)
        close(fd)
        #expect(PortProbe.availability(of: endpoint) == .free)
        #expect(PortProbe.availability(of: HostEndpoint(protocol: .tcp, address: "203.0.113.9", port: 80)) == .addressNotLocal)
    }
}
