import Foundation
import Net
import Spec

/// Where the host reaches a machine's SSH server.
public struct SSHTarget: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

extension MachineController {
    /// The id of the SSH forward in user mode (Vagrant's): a `forwarded_ports` entry with this id
    /// replaces the default one.
    static let sshForwardID = "ssh"

    /// Where SSH reaches `machine` while it runs: its management lease and `ssh.port` on a libvirt
    /// network; 127.0.0.1 and the host port QEMU forwards to `ssh.port` in user mode. Nil when
    /// there is none yet.
    public func sshTarget(of machine: Machine) throws -> SSHTarget? {
        switch host.managementMode {
        case .network:
            return try address(of: machine).map { SSHTarget(host: $0, port: machine.ssh.port) }
        case .userMode:
            let forwards = try host.userModeForwards(project.domainName(of: machine.name))
            guard let ssh = forwards.first(where: { $0.host.protocol == .tcp && $0.guestPort == machine.ssh.port }) else {
                return nil
            }
            // A forward on every address (0.0.0.0) is reached on loopback too.
            let address = ssh.host.address == "0.0.0.0" ? "127.0.0.1" : ssh.host.address
            return SSHTarget(host: address, port: ssh.host.port)
        }
    }

    /// `sshTarget(of:)` of a running machine, or an error saying it has none.
    func runningSSHTarget(of machine: Machine) throws -> SSHTarget {
        guard let target = try sshTarget(of: machine) else {
            let missing = host.managementMode == .network ? "no address on \(ManagementNetwork.name)" : "no SSH port forward"
            throw LifecycleError(.guest, "machine '\(machine.name)' is running but holds \(missing)",
                                 hint: "wait for it to finish booting, or `vmfile reload \(machine.name)`")
        }
        return target
    }

    /// The forwards a user-mode machine starts with: SSH (guest `ssh.port` → 127.0.0.1:2222, or the
    /// first free port from 2200 up, as Vagrant does), then its `forwarded_ports`; chosen before boot
    /// like system-mode forwards and recorded in `ports.json`, so `vmfile port` lists SSH too.
    func planUserModeForwards(_ machine: Machine, clock: PhaseClock) throws -> [GuestForward] {
        var ports = machine.forwardedPorts
        if !ports.contains(where: { $0.id == Self.sshForwardID }) {
            ports.insert(ForwardedPort(guest: machine.ssh.port, host: 2222, protocol: .tcp, hostIP: "127.0.0.1",
                                       autoCorrect: true, id: Self.sshForwardID), at: 0)
        }
        let mappings = try allocatePorts(ports, of: machine, taken: { [] }, probe: host.availability(of:), clock: clock)
        let list = mappings.map { "\($0.hostIP):\($0.hostPort)→\($0.guestPort)/\($0.protocol.rawValue)" }
        clock.report("user-mode networking, forwards \(list.joined(separator: ", "))")
        return mappings.map { GuestForward(host: $0.hostEndpoint, guestPort: $0.guestPort) }
    }

    /// In user mode, refuses NICs that need root before anything is made: libvirt networks (private)
    /// need a bridge and a DHCP server the session daemon cannot create, host bridges a setuid helper,
    /// macvtap CAP_NET_ADMIN.
    func refuseRootOnlyNetworks(_ machine: Machine) throws {
        guard host.managementMode == .userMode, let first = machine.networks.first else { return }
        let what: String
        switch first {
        case .private(let attachment): what = "private network '\(attachment.network)'"
        case .public: what = "a public network"
        }
        throw LifecycleError(
            .unsupported,
            "machine '\(machine.name)': \(what) needs root networking, but this is an unprivileged qemu:///session connection (user-mode networking: SSH and forwarded_ports only)",
            hint: "run vmfile as root, or join the libvirt group (`sudo usermod -aG libvirt \(NSUserName())`, then log in again) so qemu:///system is used; or remove `networks:` from '\(machine.name)'")
    }
}
