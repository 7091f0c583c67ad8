import Foundation
import Testing

/// A real guest with a public NIC on a bridge the test creates and connects to nothing (no host NIC,
/// no traffic leaves this machine): the guest's tap joins it with its static `ip:`, and a missing
/// bridge fails before boot.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct PublicNetworkEndToEndTests {
    @Test func guestNICJoinsAnExistingHostBridge() throws {
        let bridge = "vmfbr" + String(UUID().uuidString.lowercased().prefix(6))
        let created = try runProcess("/usr/sbin/ip", ["link", "add", bridge, "type", "bridge"])
        try #require(created.status == 0, "ip link add failed: \(created)")
        defer { _ = try? runProcess("/usr/sbin/ip", ["link", "delete", bridge]) }
        _ = try runProcess("/usr/sbin/ip", ["link", "set", bridge, "up"])

        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              pub:
                box: tiny
                memory: 192MiB
                networks:
                  - public: {bridge: \(bridge), ip: 10.251.75.10}
            """)
        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        #expect(up.stderr.contains("public network on bridge \(bridge)"), "\(up)")
        // The guest has a second NIC with the static address auto_config set (nothing serves DHCP there),
        // and its tap is a port of the test's bridge (and nothing else is).
        #expect(up.stderr.contains("public bridge \(bridge) address 10.251.75.10 set on eth1 (auto_config)"), "\(up)")
        let addresses = try sandbox.run("ssh", "-c", "ip -4 -o addr show dev eth1").stdout
        #expect(addresses.contains("inet 10.251.75.10/24"), "\(addresses)")
        // Through that address the guest reaches the host side of the test's bridge.
        _ = try runProcess("/usr/sbin/ip", ["addr", "add", "10.251.75.1/24", "dev", bridge])
        let ping = try sandbox.run("ssh", "-c", "sudo -n ping -c 2 -W 5 10.251.75.1")
        #expect(ping.status == 0, "\(ping)")
        let ports = try runProcess("/usr/sbin/ip", ["-o", "link", "show", "master", bridge]).stdout
        #expect(ports.split(separator: "\n").count == 1 && ports.contains("vnet"), "\(ports)")
        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try runProcess("/usr/sbin/ip", ["-o", "link", "show", "master", bridge]).stdout.isEmpty)
        #expect(try sandbox.leftovers().isEmpty)
    }

    @Test func aMissingBridgeFailsBeforeBoot() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              pub:
                box: tiny
                networks:
                  - public: {bridge: vmfnosuchbr0}
            """)
        let up = try sandbox.run("up")
        #expect(up.status == 1 && up.stderr.contains("'vmfnosuchbr0' is not a bridge on this host"), "\(up)")
        #expect(try sandbox.states() == ["pub": "not-created"])
        #expect(try sandbox.leftovers().isEmpty)
    }
}
