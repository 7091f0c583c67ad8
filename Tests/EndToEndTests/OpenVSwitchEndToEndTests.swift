import Foundation
import Testing

/// Two real guests on a `switch: ovs` network with a VLAN: vmfile makes the Open vSwitch bridge
/// (userspace datapath where the kernel module is absent), libvirt plugs both guests in with the
/// tag, auto_config sets their static addresses (OVS networks have no DHCP), they reach each other,
/// and the bridge goes with the last machine. Needs ovsdb-server and ovs-vswitchd (scripts/setup).
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU, Open vSwitch and the tiny box (set VMFILE_E2E=1 to require them)"))
struct OpenVSwitchEndToEndTests {
    @Test func twoGuestsOnAVLANReachEachOther() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            networks:
              vl: {cidr: 10.251.76.0/24, switch: ovs, vlan: 42}
            defaults:
              box: tiny
              memory: 192MiB
            machines:
              a:
                networks: [{private: vl, ip: 10.251.76.10}]
              b:
                networks: [{private: vl, ip: 10.251.76.11}]
            """)
        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        #expect(up.stderr.contains("network vl address 10.251.76.10 set on eth1 (auto_config)"), "\(up)")
        let network = "vmfile-\(try sandbox.projectID())-vl"
        let xml = try virsh("net-dumpxml", network).stdout
        let bridge = try #require(xml.firstMatch(of: /<bridge name='([^']+)'/).map { String($0.1) }, "\(xml)")
        #expect(xml.contains("<virtualport type='openvswitch'"), "\(xml)")

        // Both guests' taps are ports of vmfile's bridge, tagged 42.
        let ports = try ovs("list-ports", bridge).stdout.split(separator: "\n").map(String.init)
        #expect(ports.count == 2, "\(ports)")
        for port in ports { #expect(try ovs("get", "port", port, "tag").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "42") }

        try sandbox.expectReachable(from: "a", to: "b", address: "10.251.76.11")

        // The bridge and the network go with the last machine.
        #expect(try sandbox.run("destroy", "-f", "a").status == 0)
        #expect(try ovs("br-exists", bridge).status == 0)
        let last = try sandbox.run("destroy", "-f", "b")
        #expect(last.status == 0 && last.stderr.contains("network vl removed"), "\(last)")
        #expect(try ovs("br-exists", bridge).status == 2)
        #expect(try virsh("net-info", network).status != 0)
        #expect(try sandbox.leftovers().isEmpty)
    }

    private func ovs(_ arguments: String...) throws -> ProcessOutput {
        try runProcess("/usr/bin/ovs-vsctl", ["--timeout=10"] + arguments)
    }

    private func virsh(_ arguments: String...) throws -> ProcessOutput {
        try runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system"] + arguments)
    }
}
