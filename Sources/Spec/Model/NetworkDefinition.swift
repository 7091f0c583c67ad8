/// A named private network under top-level `networks:`.
public struct NetworkDefinition: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Guests reach each other and the host, nothing else.
        case isolated
        /// Guests also reach outside through the host's NAT.
        case nat
    }

    public enum Switch: String, Codable, Sendable, CaseIterable {
        /// Linux bridge (default).
        case bridge
        /// Open vSwitch bridge through libvirt's `virtualport`.
        case ovs
    }

    public var name: String
    /// IPv4 network in CIDR form, e.g. `192.168.56.0/24`.
    public var cidr: String
    /// Whether libvirt's dnsmasq serves DHCP on it (default true).
    public var dhcp: Bool
    /// First and last address DHCP hands out; nil lets vmfile pick the upper half of the subnet.
    public var dhcpRange: DHCPRange?
    public var mode: Mode
    public var `switch`: Switch
    /// VLAN tag (OVS only), 1–4094.
    public var vlan: Int?

    public init(
        name: String,
        cidr: String,
        dhcp: Bool = true,
        dhcpRange: DHCPRange? = nil,
        mode: Mode = .isolated,
        switch: Switch = .bridge,
        vlan: Int? = nil
    ) {
        self.name = name
        self.cidr = cidr
        self.dhcp = dhcp
        self.dhcpRange = dhcpRange
        self.mode = mode
        self.switch = `switch`
        self.vlan = vlan
    }
}

/// An inclusive DHCP address range.
public struct DHCPRange: Codable, Sendable, Equatable {
    public var start: String
    public var end: String

    public init(start: String, end: String) {
        self.start = start
        self.end = end
    }
}
