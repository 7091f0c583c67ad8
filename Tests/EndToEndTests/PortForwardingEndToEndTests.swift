import Foundation
import Testing

/// Forwarded ports on a real guest: TCP echo and UDP delivery over 127.0.0.1, auto-correction,
/// a guest reboot, and no rule left after halt or destroy.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct PortForwardingEndToEndTests {
    /// Starts a persistent TCP echo server (busybox `nc -ll -e cat`) on guest port 2222, detached.
    static let startEcho = "setsid nc -ll -p 2222 -e cat </dev/null >/dev/null 2>&1 &"

    @Test func tcpAndUDPForwardsOverLoopback() throws {
        let tcpPort = try LoopbackSocket.freePort()
        let udpPort = try LoopbackSocket.freePort(udp: true)
        let busyPort = try LoopbackSocket.freePort()
        let busy = try LoopbackSocket.listen(port: busyPort)
        defer { close(busy) }
        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              fwd:
                box: tiny
                memory: 192MiB
                forwarded_ports:
                  - {guest: 2222, host: \(tcpPort)}
                  - {guest: 5353, host: \(udpPort), protocol: udp}
                  - {guest: 2223, host: \(busyPort), auto_correct: true, id: corrected}
            """)
        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        #expect(up.stderr.contains("127.0.0.1:\(busyPort) is taken"), "\(up)")
        let domain = "vmfile-\(try sandbox.projectID())-fwd"

        // `vmfile port --json` reports what was applied, including the corrected port.
        let ports = try portsByID(sandbox)
        #expect(ports["tcp2222"] == tcpPort && ports["udp5353"] == udpPort)
        let corrected = try #require(ports["corrected"])
        #expect(corrected != busyPort && (2200...2999).contains(corrected))

        // TCP: bytes go through 127.0.0.1:<tcpPort> to the guest's echo server and back, after vmfile exited.
        #expect(try sandbox.run("ssh", "-c", Self.startEcho).status == 0)
        let payload = Array("hello through the forward\n".utf8)
        #expect(try LoopbackSocket.tcpExchange(port: tcpPort, payload: payload, deadline: Date().addingTimeInterval(20)) == payload)

        // UDP: the guest has no UDP server, so count datagrams reaching its closed port 5353
        // (Udp NoPorts) and see its "port unreachable" come back through the forward.
        let before = try guestUDPNoPorts(sandbox)
        #expect(try LoopbackSocket.udpSend(port: udpPort, count: 5) == ECONNREFUSED)
        let after = try guestUDPNoPorts(sandbox)
        #expect(after - before >= 5, "guest Udp NoPorts \(before) → \(after)")

        // A guest reboot keeps the forward (kernel rules; same lease). "Rebooted" means a new boot id: under
        // load the old system can still answer SSH for seconds after `reboot`, and then goes away mid-check.
        let bootID = "cat /proc/sys/kernel/random/boot_id"
        let firstBoot = try sandbox.run("ssh", "-c", bootID).stdout
        _ = try sandbox.run("ssh", "-c", "sudo reboot")
        let rebooted = Date().addingTimeInterval(180)
        while Date() < rebooted {
            let now = try sandbox.run("ssh", "-c", bootID)
            if now.status == 0 && now.stdout != firstBoot { break }
            Thread.sleep(forTimeInterval: 2)
        }
        #expect(try sandbox.run("ssh", "-c", bootID).stdout != firstBoot, "the guest did not reboot within 180 s")
        #expect(try sandbox.run("ssh", "-c", Self.startEcho).status == 0)
        #expect(try LoopbackSocket.tcpExchange(port: tcpPort, payload: payload, deadline: Date().addingTimeInterval(20)) == payload)

        #expect(try sandbox.run("halt").status == 0)
        #expect(try !nftTable().contains(domain), "rules of \(domain) left after halt")
        #expect(try sandbox.run("port").stdout.isEmpty)

        // A rerun agrees on the ports, and destroy removes them too. The corrected port may move only when
        // another process took it while the machine was halted: end-to-end suites run side by side, and
        // session mode picks its SSH ports from 2200 up too.
        let again = try sandbox.run("up")
        try #require(again.status == 0, "second up failed: \(again)")
        let rerun = try portsByID(sandbox)
        #expect(rerun["tcp2222"] == tcpPort && rerun["udp5353"] == udpPort && rerun.count == ports.count, "\(rerun) vs \(ports)")
        if let moved = rerun["corrected"], moved != corrected {
            let earlierIsFree = (try? LoopbackSocket.listen(port: corrected)).map { fd in close(fd); return true } ?? false
            #expect(!earlierIsFree, "the rerun moved the corrected port \(corrected) → \(moved) although \(corrected) is free: \(again)")
        }
        #expect(try nftTable().contains("\(domain)-out"))
        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try !nftTable().contains(domain), "rules of \(domain) left after destroy")
        #expect(try sandbox.leftovers().isEmpty)
    }

    @Test func aBusyPortWithoutAutoCorrectFailsBeforeBoot() throws {
        let busyPort = try LoopbackSocket.freePort()
        let busy = try LoopbackSocket.listen(port: busyPort)
        defer { close(busy) }
        let sandbox = try Sandbox(vmfile: """
            version: 1
            machines:
              clash:
                box: tiny
                forwarded_ports: [{guest: 80, host: \(busyPort)}]
            """)
        let up = try sandbox.run("up")
        #expect(up.status == 1)
        #expect(up.stderr.contains("127.0.0.1:\(busyPort)/tcp is in use by another process") && up.stderr.contains("auto_correct"), "\(up)")
        #expect(try sandbox.states() == ["clash": "not-created"])
    }

    private func portsByID(_ sandbox: Sandbox) throws -> [String: Int] {
        let output = try sandbox.run("port", "--json")
        guard output.status == 0, let data = output.stdout.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let machines = json["machines"] as? [[String: Any]] else {
            throw SandboxError(message: "port --json failed: \(output)")
        }
        var ports: [String: Int] = [:]
        for machine in machines {
            for port in machine["ports"] as? [[String: Any]] ?? [] {
                if let id = port["id"] as? String, let host = port["hostPort"] as? Int { ports[id] = host }
            }
        }
        return ports
    }

    /// The guest kernel's count of UDP datagrams to closed ports.
    private func guestUDPNoPorts(_ sandbox: Sandbox) throws -> Int {
        let snmp = try sandbox.run("ssh", "-c", "grep '^Udp:' /proc/net/snmp").stdout.split(separator: "\n")
        guard snmp.count >= 2 else { throw SandboxError(message: "no Udp lines in /proc/net/snmp: \(snmp)") }
        let names = snmp[0].split(separator: " "), values = snmp[1].split(separator: " ")
        guard let index = names.firstIndex(of: "NoPorts"), index < values.count, let value = Int(values[index]) else {
            throw SandboxError(message: "no NoPorts in \(snmp)")
        }
        return value
    }

    private func nftTable() throws -> String {
        try runProcess("/usr/sbin/nft", ["list", "table", "ip", "vmfile"]).stdout
    }
}
