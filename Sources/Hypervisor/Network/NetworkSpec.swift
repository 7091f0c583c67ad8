import Spec
/// How a network reaches the outside.
public enum NetworkMode: String, Sendable, Equatable {
    /// NAT to the host's uplink (libvirt `<forward mode='nat'/>`).
    case nat
    /// Host and guests only, no forwarding.
    case isolated
}

/// What a network's bridge is.
public enum NetworkSwitch: Sendable, Equatable {
    /// A Linux bridge libvirt makes and runs: host address, DHCP, NAT.
    case linuxBridge
    /// An existing Open vSwitch bridge libvirt only plugs guests into (`<forward mode='bridge'/>` +
    /// `<virtualport type='openvswitch'/>`), their ports tagged `vlan`: no host address, no DHCP.
    case openvswitch(vlan: Int?)
}

/// A fixed DHCP reservation: this MAC always gets this IP.
public struct DHCPHost: Sendable, Equatable {
    /// Guest MAC address.
    public var mac: String
    /// Reserved address (inside the network's subnet).
    public var ip: IPv4Address
    /// Optional host name handed out with the lease.
    public var name: String?

    public init(mac: String, ip: IPv4Address, name: String? = nil) {
        self.mac = mac
        self.ip = ip
        self.name = name
    }

    /// The `<host …/>` element libvirt expects (also for `virNetworkUpdate`).
    public var xml: String {
        var element = "<host mac='\(XMLText.escape(mac.lowercased()))'"
        if let name { element += " name='\(XMLText.escape(name))'" }
        return element + " ip='\(ip)'/>"
    }
}

/// Everything needed to define a vmfile network. Validated in `init`.
public struct NetworkSpec: Sendable, Equatable {
    /// Network name, e.g. `vmfile-<project-id>-mgmt`.
    public var name: String
    /// Linux bridge name: at most 15 bytes (IFNAMSIZ - 1).
    public var bridge: String
    /// The subnet; the host side takes the first address.
    public var subnet: IPv4Network
    /// DHCP pool; nil disables DHCP. Defaults in `init` to second host … last host.
    public var dhcpRange: ClosedRange<IPv4Address>?
    /// NAT or isolated.
    public var mode: NetworkMode
    /// Static DHCP reservations.
    public var hosts: [DHCPHost]
    /// Attributes for `<vmfile:network …/>` in the network's `<metadata>`; marks it as vmfile's.
    public var metadata: [String: String]
    /// Linux bridge (default) or Open vSwitch.
    public var `switch`: NetworkSwitch

    /// Creates a spec.
    /// - Parameters:
    ///   - dhcp: true to enable DHCP; `dhcpRange` nil then means the whole subnet after the host address.
    /// - Throws: `.invalidSpec` for a bridge name over 15 bytes, a range or reservation outside the subnet.
    public init(
        name: String, bridge: String, cidr: String, dhcp: Bool = true, dhcpRange: ClosedRange<IPv4Address>? = nil,
        mode: NetworkMode = .nat, hosts: [DHCPHost] = [], metadata: [String: String] = [:],
        switch kind: NetworkSwitch = .linuxBridge
    ) throws(HypervisorError) {
        guard !name.isEmpty, !name.contains("/") else {
            throw HypervisorError(.invalidSpec, "Network name '\(name)' is invalid: it must be non-empty and contain no '/'")
        }
        guard !bridge.isEmpty, bridge.utf8.count <= 15, !bridge.contains(where: { $0 == "/" || $0.isWhitespace }) else {
            throw HypervisorError(.invalidSpec, "Network \(name): bridge name '\(bridge)' must be 1–15 bytes without '/' or spaces (Linux IFNAMSIZ)")
        }
        let subnet: IPv4Network
        do {
            subnet = try IPv4Network(parsing: cidr)
        } catch {
            throw HypervisorError(.invalidSpec, "Network \(name): '\(cidr)' is not an IPv4 network like 10.42.7.0/24")
        }
        guard (8...30).contains(subnet.prefixLength) else {
            throw HypervisorError(.invalidSpec, "Network \(name): prefix /\(subnet.prefixLength) is outside 8…30")
        }
        var range: ClosedRange<IPv4Address>?
        if dhcp {
            range = dhcpRange ?? (IPv4Address(value: subnet.gatewayAddress.value + 1)...subnet.lastHostAddress)
            if let range, !(subnet.contains(range.lowerBound) && subnet.contains(range.upperBound)) || range.lowerBound == subnet.gatewayAddress {
                throw HypervisorError(.invalidSpec, "Network \(name): DHCP range \(range.lowerBound)–\(range.upperBound) must lie in \(subnet) and exclude the host address \(subnet.gatewayAddress)")
            }
        }
        for host in hosts where !subnet.contains(host.ip) || host.ip == subnet.gatewayAddress {
            throw HypervisorError(.invalidSpec, "Network \(name): reserved address \(host.ip) for \(host.mac) is outside \(subnet) or is the host address")
        }
        if case .openvswitch(let vlan) = kind {
            if let vlan, !(1...4094).contains(vlan) {
                throw HypervisorError(.invalidSpec, "Network \(name): VLAN \(vlan) is outside 1…4094")
            }
            guard !dhcp, hosts.isEmpty, mode == .isolated else {
                throw HypervisorError(.invalidSpec, "Network \(name): an Open vSwitch network has no host address, DHCP or NAT")
            }
        }
        for key in metadata.keys where !DomainSpec.isXMLName(key) {
            throw HypervisorError(.invalidSpec, "Network \(name): metadata key '\(key)' is not a valid XML attribute name")
        }
        self.name = name
        self.bridge = bridge
        self.subnet = subnet
        self.dhcpRange = range
        self.mode = mode
        self.hosts = hosts
        self.metadata = metadata
        self.switch = kind
    }
}

/// Writes libvirt network XML for a `NetworkSpec`. Pure.
public enum NetworkXML {
    /// The network XML for `spec`.
    public static func make(_ spec: NetworkSpec) -> String {
        let e = XMLText.escape
        // dnsmasq's namespace: `no-ping` below.
        var xml = "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>\n"
        xml += "  <name>\(e(spec.name))</name>\n"
        var element = "<\(VmfileMetadata.prefix):\(VmfileMetadata.networkElement) xmlns:\(VmfileMetadata.prefix)='\(VmfileMetadata.namespace)'"
        for key in spec.metadata.keys.sorted() { element += " \(key)='\(e(spec.metadata[key] ?? ""))'" }
        xml += "  <metadata>\n    \(element)/>\n  </metadata>\n"
        if case .openvswitch(let vlan) = spec.switch {
            // libvirt neither makes nor addresses this bridge: it only adds each guest's tap as a port.
            xml += "  <forward mode='bridge'/>\n  <bridge name='\(e(spec.bridge))'/>\n  <virtualport type='openvswitch'/>\n"
            if let vlan { xml += "  <vlan>\n    <tag id='\(vlan)'/>\n  </vlan>\n" }
            return xml + "</network>\n"
        }
        if spec.mode == .nat { xml += "  <forward mode='nat'/>\n" }
        // STP off: with it on, the kernel holds a new guest port in listening and learning for its
        // minimum forward delay (2 s each), so every boot waited ~4 s before its first DHCP packet passed.
        xml += "  <bridge name='\(e(spec.bridge))' stp='off' delay='0'/>\n"
        xml += "  <ip address='\(spec.subnet.gatewayAddress)' netmask='\(spec.subnet.netmaskAddress)'>\n"
        if spec.dhcpRange != nil || !spec.hosts.isEmpty {
            xml += "    <dhcp>\n"
            if let range = spec.dhcpRange { xml += "      <range start='\(range.lowerBound)' end='\(range.upperBound)'/>\n" }
            for host in spec.hosts { xml += "      \(host.xml)\n" }
            xml += "    </dhcp>\n"
        }
        xml += "  </ip>\n"
        // No ping before a first offer: dnsmasq otherwise waits for an echo reply before offering an
        // address, which delays a fresh guest's DHCP; these networks' addresses are vmfile's alone.
        xml += "  <dnsmasq:options>\n    <dnsmasq:option value='no-ping'/>\n  </dnsmasq:options>\n"
        xml += "</network>\n"
        return xml
    }

    /// The IPv4 subnets of the `<ip>` elements in network XML.
    public static func ipv4Subnets(in xml: String) -> [IPv4Network] {
        var subnets: [IPv4Network] = []
        for ip in XMLText.elements("ip", in: xml) {
            guard let address = ip["address"], ip["family"] == nil || ip["family"] == "ipv4" else { continue }
            var prefix = ip["prefix"].flatMap { Int($0) }
            if prefix == nil, let mask = ip["netmask"].flatMap(IPv4Address.init) { prefix = mask.value.nonzeroBitCount }
            if let prefix, let ip = IPv4Address(address) { subnets.append(IPv4Network(address: ip, prefixLength: prefix)) }
        }
        return subnets
    }

    /// The DHCP reservations (`<host mac=… ip=…/>` under `<dhcp>`) in network XML; DNS `<host>`
    /// entries (no MAC) are not reservations.
    public static func dhcpHosts(in xml: String) -> [DHCPHost] {
        XMLText.elements("host", in: xml).compactMap { host in
            guard let mac = host["mac"], let ip = host["ip"].flatMap(IPv4Address.init) else { return nil }
            return DHCPHost(mac: mac.lowercased(), ip: ip, name: host["name"])
        }
    }

    /// The attributes of `<…:network>` in vmfile's namespace, or nil when the network is not vmfile's.
    public static func parseMetadata(_ xml: String) -> [String: String]? {
        DomainXML.metadataAttributes(element: VmfileMetadata.networkElement, in: xml)
    }
}
