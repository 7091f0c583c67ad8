import Spec

/// A host port QEMU's user-mode network stack (slirp) forwards into the guest (`hostfwd=`).
///
/// The QEMU process listens on the host side itself: the forward exists exactly while the domain
/// runs, needs no root, and survives guest reboots.
public struct UserForward: Sendable, Equatable {
    public var `protocol`: ForwardedPort.TransportProtocol
    /// Host address QEMU binds, e.g. `127.0.0.1` (`0.0.0.0`: every local address).
    public var hostAddress: String
    public var hostPort: Int
    public var guestPort: Int

    public init(protocol: ForwardedPort.TransportProtocol, hostAddress: String, hostPort: Int, guestPort: Int) {
        self.protocol = `protocol`
        self.hostAddress = hostAddress
        self.hostPort = hostPort
        self.guestPort = guestPort
    }

    /// `tcp:127.0.0.1:2222-:22`, the value of a `hostfwd=` option.
    var option: String { "\(`protocol`.rawValue):\(hostAddress):\(hostPort)-:\(guestPort)" }

    /// Parses `option`'s form back; nil for anything else.
    init?(option: Substring) {
        let sides = option.split(separator: "-", maxSplits: 1)
        guard sides.count == 2 else { return nil }
        let host = sides[0].split(separator: ":", omittingEmptySubsequences: false)
        let guest = sides[1].split(separator: ":", omittingEmptySubsequences: false)
        guard host.count == 3, let proto = ForwardedPort.TransportProtocol(rawValue: String(host[0])),
              let hostPort = Int(host[2]), let guestPort = guest.last.flatMap({ Int($0) }) else { return nil }
        self.init(protocol: proto, hostAddress: String(host[1]), hostPort: hostPort, guestPort: guestPort)
    }
}

/// User-mode NICs as QEMU arguments in the domain's `<qemu:commandline>`.
///
/// libvirt 9.0's `<interface type='user'>` cannot forward ports with QEMU's slirp backend (its
/// `<portForward>` needs passt, which libvirt 9.0 does not offer), so vmfile passes `-netdev user`
/// with `hostfwd=` and the NIC's `-device` itself. The device gets a fixed PCI slot from 0x10 up,
/// far above the slots libvirt hands its own devices (from 0x02), because libvirt does not know
/// about these arguments when it assigns addresses.
enum UserModeArguments {
    /// The first PCI slot of user-mode NICs.
    static let firstSlot = 0x10
    /// The `-netdev` id of the user-mode NIC at `index` (the n-th user-mode NIC of the domain).
    static func netdevID(_ index: Int) -> String { "vmfuser\(index)" }

    /// `-netdev …` and `-device …` for the user-mode NIC at `index` among the domain's user-mode NICs.
    static func arguments(for nic: NICSpec, forwards: [UserForward], index: Int, machine: MachineType) -> [String] {
        let id = netdevID(index)
        var netdev = "user,id=\(id)"
        for forward in forwards { netdev += ",hostfwd=\(forward.option)" }
        let driver = nic.model == "virtio" ? "virtio-net-pci" : nic.model
        let bus = machine == .q35 ? "pcie.0" : "pci.0"
        var device = "\(driver),netdev=\(id),bus=\(bus),addr=0x\(String(firstSlot + index, radix: 16))"
        if let mac = nic.mac { device += ",mac=\(mac)" }
        return ["-netdev", netdev, "-device", device]
    }

    /// The forwards of every user-mode NIC in a domain's XML (as `DomainXML` wrote them), in order.
    static func forwards(inDomainXML xml: String) -> [UserForward] {
        XMLText.elements("qemu:arg", in: xml).compactMap { $0["value"] }
            .filter { $0.hasPrefix("user,") }
            .flatMap { $0.split(separator: ",").filter { $0.hasPrefix("hostfwd=") }.compactMap { UserForward(option: $0.dropFirst("hostfwd=".count)) } }
    }
}
