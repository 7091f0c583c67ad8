import Foundation
import Testing

/// Unprivileged mode: a user the test creates (not root, not in the libvirt group) runs the basic
/// flow on its own `qemu:///session` daemon, autospawned without systemd: its own box store and
/// storage pool, user-mode networking with SSH and a forwarded port on 127.0.0.1, and nothing left
/// afterwards — no domain or volume in its session, no process of the user.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct SessionModeEndToEndTests {
    @Test func aNonRootUserRunsTheBasicFlowOnItsSession() throws {
        let user = try UnprivilegedUser()
        var removedDaemons = false
        defer {
            if !removedDaemons { _ = try? user.remove() }
        }
        let servicePort = try LoopbackSocket.freePort()
        let project = try user.write("""
            version: 1
            machines:
              sess:
                box: tiny
                memory: 192MiB
                forwarded_ports:
                  - {guest: 2222, host: \(servicePort)}
            """, to: "project/Vmfile").deletingLastPathComponent()
        // Private networks need root: refused before anything is made, saying what to do.
        let refusedProject = try user.write("""
            version: 1
            networks:
              lab: {cidr: 192.168.213.0/24}
            machines:
              priv: {box: tiny, networks: [{private: lab, dhcp: true}]}
            """, to: "refused/Vmfile").deletingLastPathComponent()
        defer {
            _ = try? user.vmfile("destroy", "--force", in: project)
            _ = try? user.vmfile("box", "remove", "tiny", "--all", "--force", in: project)
        }

        let added = try user.vmfile("box", "add", "tiny", user.box.path, in: project)
        try #require(added.status == 0, "box add failed: \(added)")
        #expect(FileManager.default.fileExists(atPath: user.home.appendingPathComponent(".local/share/vmfile/boxes/tiny").path))

        let refused = try user.vmfile("up", in: refusedProject)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("private network 'lab'") && refused.stderr.contains("qemu:///session")
                && refused.stderr.contains("libvirt group"), "\(refused)")

        let up = try user.vmfile("up", in: project)
        try #require(up.status == 0, "up as \(user.name) failed: \(up)")
        #expect(up.stderr.contains("user-mode networking"), "\(up)")

        // The machine lives in the user's session, with its disk in the user's own pool.
        let domains = try user.virsh("list", "--all", "--name").stdout
        let domain = try #require(domains.split(separator: "\n").map(String.init).first { $0.hasPrefix("vmfile-") && $0.hasSuffix("-sess") },
                                  "no domain in the session: \(domains)")
        let pool = try user.virsh("pool-dumpxml", "vmfile").stdout
        #expect(pool.contains(user.home.path), "session pool outside the user's home: \(pool)")
        #expect(try !runProcess("/usr/bin/virsh", ["-q", "-c", "qemu:///system", "list", "--all", "--name"]).stdout.contains(domain))

        let ssh = try user.vmfile("ssh", "-c", "hostname", in: project)
        #expect(ssh.status == 0 && ssh.stdout.contains("sess"), "\(ssh)")

        // Another session user neither sees nor touches this user's machine.
        try Self.expectIsolated(from: user, project: project, domain: domain)

        // SSH is on 127.0.0.1 at the port vmfile chose, and status, ssh-config and port agree.
        let status = try statusJSON(user, project)
        #expect(status["state"] as? String == "running")
        let sshEndpoint = try #require(status["ssh"] as? String, "no ssh endpoint in status: \(status)")
        #expect(sshEndpoint.hasPrefix("127.0.0.1:"))
        let config = try user.vmfile("ssh-config", in: project).stdout
        #expect(config.contains("HostName 127.0.0.1") && config.contains("Port \(sshEndpoint.dropFirst("127.0.0.1:".count))"), "\(config)")
        let ports = try user.vmfile("port", in: project).stdout
        #expect(ports.contains("\(sshEndpoint) → 22/tcp  ssh") && ports.contains("127.0.0.1:\(servicePort) → 2222/tcp"), "\(ports)")

        // The forwarded port reaches a service in the guest.
        #expect(try user.vmfile("ssh", "-c", PortForwardingEndToEndTests.startEcho, in: project).status == 0)
        let payload = Array("through the session forward\n".utf8)
        #expect(try LoopbackSocket.tcpExchange(port: servicePort, payload: payload, deadline: Date().addingTimeInterval(20)) == payload)

        // Snapshots in the session: a memory save and restore brings back the file and the echo server,
        // and `vmfile ssh` and the forward work right after it.
        #expect(try user.vmfile("ssh", "-c", "echo before > ~/f && sync", in: project).status == 0)
        let save = try user.vmfile("snapshot", "save", "s1", in: project)
        try #require(save.status == 0, "session snapshot save failed: \(save)")
        #expect(try user.vmfile("ssh", "-c", "rm ~/f; for p in $(pidof nc); do kill $p; done", in: project).status == 0)
        let restore = try user.vmfile("snapshot", "restore", "s1", in: project)
        try #require(restore.status == 0, "session snapshot restore failed: \(restore)")
        #expect(try user.vmfile("ssh", "-c", "cat ~/f", in: project).stdout == "before\n")
        #expect(try LoopbackSocket.tcpExchange(port: servicePort, payload: payload, deadline: Date().addingTimeInterval(20)) == payload)

        let halt = try user.vmfile("halt", in: project)
        #expect(halt.status == 0, "\(halt)")
        #expect(try statusJSON(user, project)["state"] as? String == "shutoff")
        // Halted: disk only, restored halted; destroy below takes the snapshots with the machine.
        #expect(try user.vmfile("snapshot", "save", "h1", in: project).status == 0)
        #expect(try user.vmfile("snapshot", "restore", "h1", in: project).status == 0)
        #expect(try statusJSON(user, project)["state"] as? String == "shutoff")
        // The forwards went with the QEMU process.
        #expect(throws: (any Error).self) { try LoopbackSocket.tcpExchange(port: servicePort, payload: payload, deadline: Date().addingTimeInterval(1)) }

        // Booting again while something else holds the SSH port: up moves SSH to another free port
        // (the definition's forwards are rewritten) and keeps the declared one.
        let sshPort = try #require(Int(sshEndpoint.dropFirst("127.0.0.1:".count)))
        let squatter = try LoopbackSocket.listen(port: sshPort)
        defer { close(squatter) }
        let again = try user.vmfile("up", in: project)
        try #require(again.status == 0, "second up failed: \(again)")
        let moved = try #require(try statusJSON(user, project)["ssh"] as? String)
        #expect(moved != sshEndpoint && moved.hasPrefix("127.0.0.1:"), "ssh stayed on \(moved)")
        #expect(try user.vmfile("ssh", "-c", PortForwardingEndToEndTests.startEcho, in: project).status == 0)
        #expect(try LoopbackSocket.tcpExchange(port: servicePort, payload: payload, deadline: Date().addingTimeInterval(20)) == payload)

        let destroy = try user.vmfile("destroy", "--force", in: project)
        #expect(destroy.status == 0, "\(destroy)")
        let removeBox = try user.vmfile("box", "remove", "tiny", "--all", in: project)
        #expect(removeBox.status == 0, "\(removeBox)")
        #expect(try user.virsh("list", "--all", "--name").stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let volumes = try user.virsh("vol-list", "vmfile").stdout
        #expect(!volumes.contains("vmfile-"), "volumes left in the session pool: \(volumes)")

        // Only the session daemons libvirt autospawned (no systemd here) are left; removing the user ends them.
        let daemons = user.processes().map(\.command)
        #expect(daemons.allSatisfy { $0.contains("libvirtd") || $0.contains("virtlogd") }, "unexpected processes: \(daemons)")
        removedDaemons = true
        try user.remove()
        #expect(user.processes().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: user.home.path))
    }

    /// A second unprivileged user: its session lists none of `user`'s domains, `global-status` shows
    /// nothing of them, its `status` of the project does not show it running, and commands that would
    /// change the project are refused.
    static func expectIsolated(from user: UnprivilegedUser, project: URL, domain: String) throws {
        let other = try UnprivilegedUser()
        defer { _ = try? other.remove() }
        #expect(try !other.virsh("list", "--all", "--name").stdout.contains(domain))
        let global = try other.run(other.binary.path, ["global-status"], in: other.home)
        #expect(global.status == 0 && !global.stdout.contains(domain) && !global.stdout.contains(project.path), "\(global)")
        // Its `status` of the project asks its own session, where the machine does not exist.
        let status = try other.run(other.binary.path, ["status"], in: project)
        #expect(!status.stdout.contains("running") && !status.stdout.contains("127.0.0.1"), "\(status)")
        for command in [["halt"], ["destroy", "--force"], ["ssh", "-c", "true"], ["snapshot", "save", "x"]] {
            let output = try other.run(other.binary.path, command, in: project)
            #expect(output.status != 0, "\(other.name) ran \(command) on \(user.name)'s project: \(output)")
        }
        #expect(try user.virsh("domstate", domain).stdout.contains("running"), "the machine was touched by another user")
    }

    private func statusJSON(_ user: UnprivilegedUser, _ project: URL) throws -> [String: Any] {
        let output = try user.vmfile("status", "--json", in: project)
        guard output.status == 0, let data = output.stdout.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let machine = (json["machines"] as? [[String: Any]])?.first else {
            throw SandboxError(message: "status --json failed: \(output)")
        }
        return machine
    }
}
