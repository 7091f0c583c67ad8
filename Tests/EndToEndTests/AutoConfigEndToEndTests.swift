import Foundation
import Testing

/// `auto_config` on real guests: on a private network without DHCP, static addresses are set over
/// SSH after boot (again after a halt), so the machines reach each other; `auto_config: false`
/// leaves the NIC alone.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct AutoConfigEndToEndTests {
    @Test func staticAddressesWithoutDHCPAreSetOverSSH() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            networks:
              quiet: {cidr: 10.251.74.0/24, dhcp: false}
            defaults:
              box: tiny
              memory: 192MiB
            machines:
              a:
                networks: [{private: quiet, ip: 10.251.74.10}]
              b:
                networks: [{private: quiet, ip: 10.251.74.11}]
              c:
                networks: [{private: quiet, ip: 10.251.74.12, auto_config: false}]
            """)
        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        for (machine, ip) in [("a", "10.251.74.10"), ("b", "10.251.74.11")] {
            #expect(up.stderr.contains("network quiet address \(ip) set on eth1 (auto_config)"), "\(machine): \(up)")
            let addresses = try sandbox.run("ssh", machine, "-c", "ip -4 -o addr show dev eth1").stdout
            #expect(addresses.contains("inet \(ip)/24"), "\(machine): \(addresses)")
        }
        // No DHCP on that network and auto_config off: c's NIC has no IPv4 address.
        let untouched = try sandbox.run("ssh", "c", "-c", "ip -4 -o addr show dev eth1")
        #expect(untouched.status == 0 && !untouched.stdout.contains("inet "), "\(untouched)")

        let ping = try sandbox.run("ssh", "b", "-c", "sudo -n ping -c 2 -W 5 10.251.74.10")
        #expect(ping.status == 0, "\(ping)")

        // Addresses set at runtime are gone after a power cycle; `up` sets them again.
        #expect(try sandbox.run("halt", "a").status == 0)
        let again = try sandbox.run("up", "a")
        #expect(again.status == 0 && again.stderr.contains("network quiet address 10.251.74.10 set on eth1 (auto_config)"), "\(again)")
        let pingAgain = try sandbox.run("ssh", "b", "-c", "sudo -n ping -c 2 -W 5 10.251.74.10")
        #expect(pingAgain.status == 0, "\(pingAgain)")

        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
    }
}
