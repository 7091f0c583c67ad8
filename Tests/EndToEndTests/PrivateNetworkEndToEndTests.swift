import Foundation
import Testing

/// Two real guests on a private network the test declares: static addresses through DHCP
/// reservations, ping and a TCP echo between them, a changed address replacing its reservation, a
/// destroyed machine's reservation removed, and the network gone with the last machine.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct PrivateNetworkEndToEndTests {
    @Test func twoMachinesReachEachOtherOnStaticAddresses() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            networks:
              lab: {cidr: 10.251.73.0/24}
            defaults:
              box: tiny
              memory: 192MiB
            machines:
              a:
                networks: [{private: lab, ip: 10.251.73.10}]
              b:
                networks: [{private: lab, ip: 10.251.73.11}]
            """)
        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        // `up` waits for the private leases and names them.
        #expect(up.stderr.contains("network lab address 10.251.73.10") && up.stderr.contains("network lab address 10.251.73.11"), "\(up)")
        let network = "vmfile-\(try sandbox.projectID())-lab"
        #expect(try networks().contains(network))

        // The guests DHCP every NIC; the reservation gives each its declared address.
        for (machine, ip) in [("a", "10.251.73.10"), ("b", "10.251.73.11")] {
            let deadline = Date().addingTimeInterval(60)
            var addresses = ""
            while Date() < deadline {
                addresses = try sandbox.run("ssh", machine, "-c", "ip -4 -o addr show").stdout
                if addresses.contains("inet \(ip)/24") { break }
                Thread.sleep(forTimeInterval: 1)
            }
            #expect(addresses.contains("inet \(ip)/24"), "\(machine): \(addresses)")
        }

        try sandbox.expectReachable(from: "a", to: "b", address: "10.251.73.11")

        // A changed static address replaces b's reservation when b starts again (and auto_config sets it).
        #expect(try sandbox.run("halt", "b").status == 0)
        try sandbox.rewriteVmfile(replacing: "ip: 10.251.73.11", with: "ip: 10.251.73.12")
        let moved = try sandbox.run("up", "b")
        #expect(moved.status == 0 && moved.stderr.contains("network lab address 10.251.73.12"), "\(moved)")
        var hosts = try dhcpHosts(network)
        #expect(hosts.contains("name='b' ip='10.251.73.12'") && !hosts.contains("10.251.73.11"), "\(hosts)")
        let pingMoved = try sandbox.run("ssh", "a", "-c", "sudo -n ping -c 2 -W 5 10.251.73.12")
        #expect(pingMoved.status == 0, "\(pingMoved)")

        // The network stays while a machine is on it and goes with the last one; a's reservation goes with a.
        let first = try sandbox.run("destroy", "-f", "a")
        #expect(first.status == 0 && first.stderr.contains("reservation of 10.251.73.10 removed"), "\(first)")
        #expect(try networks().contains(network))
        hosts = try dhcpHosts(network)
        #expect(!hosts.contains("10.251.73.10") && hosts.contains("name='b' ip='10.251.73.12'"), "\(hosts)")
        let last = try sandbox.run("destroy", "-f", "b")
        #expect(last.status == 0 && last.stderr.contains("network lab removed"), "\(last)")
        #expect(try !networks().contains(network))
        #expect(try sandbox.leftovers().isEmpty)
    }

    /// The `<host …/>` lines of the network's persistent and live XML, one string.
    private func dhcpHosts(_ network: String) throws -> String {
        let live = try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "net-dumpxml", network]).stdout
        let config = try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "net-dumpxml", "--inactive", network]).stdout
        return (live + config).split(separator: "\n").filter { $0.contains("<host ") }.joined(separator: "\n")
    }

    private func networks() throws -> [String] {
        try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "net-list", "--all", "--name"]).stdout
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
