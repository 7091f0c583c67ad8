import HostSupport
import Spec

/// How one Vmfile `networks:` entry becomes a libvirt network of one project: deterministic names,
/// subnet, DHCP range and the static addresses as DHCP reservations (MAC → IP), so guests only need
/// DHCP. Pure: it reads nothing and changes nothing.
public struct PrivateNetworkPlan: Sendable, Equatable {
    /// A static address: the machine's NIC on this network (by MAC) always gets `ip`.
    public struct Reservation: Sendable, Equatable {
        public var mac: String
        public var ip: IPv4Address
        public var machine: String
    }

    /// The Vmfile's name for the network (`lab`).
    public var definition: String
    /// libvirt network name: `vmfile-<project-id>-<net>`.
    public var name: String
    /// Linux bridge: `vmfnet-<8 hex>`, 14 bytes (IFNAMSIZ allows 15).
    public var bridge: String
    public var subnet: IPv4Network
    /// DHCP pool (the declared `dhcp_range`, else the upper half of the subnet); nil when `dhcp: false`
    /// and on Open vSwitch networks.
    public var dhcpRange: ClosedRange<IPv4Address>?
    public var nat: Bool
    /// `switch: ovs`: an Open vSwitch bridge vmfile makes, guests' ports tagged `vlan`; no host
    /// address and no DHCP there (static addresses are set by `auto_config`).
    public var openvswitch: Bool
    /// VLAN tag of the guests' ports (Open vSwitch only).
    public var vlan: Int?
    /// Every static `ip:` any machine of the project declares on this network.
    public var addresses: [Reservation]
    /// The DHCP reservations (MAC → IP) the network holds: every static address while it serves
    /// DHCP, none with `dhcp: false` (then `auto_config` sets the addresses over SSH).
    public var reservations: [Reservation] { dhcpRange == nil ? [] : addresses }

    /// - Parameters:
    ///   - domainName: the libvirt domain name of a machine (for MACs).
    public init(_ definition: NetworkDefinition, projectID: String, machines: [Machine],
                domainName: (String) -> String) throws(IPv4Network.ParseError) {
        self.definition = definition.name
        name = "vmfile-\(projectID)-\(definition.name)"
        bridge = "vmfnet-" + StableHash.hex(StableHash.fnv1a(name) & 0xffff_ffff, digits: 8)
        subnet = try IPv4Network(parsing: definition.cidr)
        nat = definition.mode == .nat
        openvswitch = definition.switch == .ovs
        vlan = openvswitch ? definition.vlan : nil
        if !definition.dhcp || openvswitch {
            dhcpRange = nil
        } else if let declared = definition.dhcpRange, let start = IPv4Address(declared.start), let end = IPv4Address(declared.end),
                  start <= end {
            dhcpRange = start...end
        } else {
            let first = subnet.networkAddress.value, last = subnet.lastHostAddress.value
            let middle = first &+ (last &- first) / 2 &+ 1
            dhcpRange = IPv4Address(value: max(middle, subnet.gatewayAddress.value &+ 1))...IPv4Address(value: last)
        }
        var addresses: [Reservation] = []
        for machine in machines {
            for case .private(let attachment) in machine.networks where attachment.network == definition.name {
                guard let text = attachment.ip, let ip = IPv4Address(text) else { continue }
                addresses.append(Reservation(mac: Self.mac(domain: domainName(machine.name), network: name), ip: ip,
                                                machine: machine.name))
            }
        }
        self.addresses = addresses
    }

    /// The MAC of `domain`'s NIC on network `network`: stable across runs, distinct per network.
    public static func mac(domain: String, network: String) -> String {
        let hash = StableHash.fnv1a(domain + "\u{0}" + network)
        let bytes = [(hash >> 16) & 0x7f, (hash >> 8) & 0xff, hash & 0xff]
        return "52:54:01:" + bytes.map { StableHash.hex($0, digits: 2) }.joined(separator: ":")
    }

    /// The first of `used` (host routes, other libvirt networks) the subnet overlaps, if any.
    public func overlap(in used: [IPv4Network]) -> IPv4Network? {
        used.first { $0.overlaps(subnet) }
    }
}
