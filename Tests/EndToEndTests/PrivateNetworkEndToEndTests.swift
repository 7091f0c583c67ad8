import Foundation
import Testing

/// Two real guests on a private network the test declares: static addresses through DHCP
/// reservations, ping and a TCP echo between them, and the network gone with the last machine.
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

        let ping = try sandbox.run("ssh", "a", "-c", "sudo -n ping -c 2 -W 5 10.251.73.11")
        #expect(ping.status == 0, "\(ping)")
        #expect(try sandbox.run("ssh", "b", "-c", "setsid nc -ll -p 7777 -e cat </dev/null >/dev/null 2>&1 &").status == 0)
        Thread.sleep(forTimeInterval: 1)
        let echo = try sandbox.run("ssh", "a", "-c", "(echo hello-private; sleep 2) | timeout 5 nc 10.251.73.11 7777")
        #expect(echo.stdout.contains("hello-private"), "\(echo)")

        // The network stays while a machine is on it and goes with the last one.
        #expect(try sandbox.run("destroy", "-f", "a").status == 0)
        #expect(try networks().contains(network))
        let last = try sandbox.run("destroy", "-f", "b")
        #expect(last.status == 0 && last.stderr.contains("network lab removed"), "\(last)")
        #expect(try !networks().contains(network))
        #expect(try sandbox.leftovers().isEmpty)
    }

    private func networks() throws -> [String] {
        try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "net-list", "--all", "--name"]).stdout
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
