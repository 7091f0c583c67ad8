import Yams

/// Reads top-level `networks:` (name → definition) and checks each definition on its own.
struct NetworkReader {
    static let keys = ["cidr", "dhcp", "dhcp_range", "mode", "switch", "vlan"]

    let context: LoadContext
    var reader: NodeReader { NodeReader(log: context.log) }

    func read(_ node: Node) -> [NetworkDefinition] {
        guard let map = reader.mapping(node, key: "networks", allowed: []) else { return [] }
        var networks: [NetworkDefinition] = []
        for entry in map.entries {
            context.record("networks.\(entry.name)", entry.key)
            if !Self.isValidName(entry.name) {
                context.log.error("network name `\(entry.name)` is not valid", at: entry.key,
                                  hint: "use 1–50 letters, digits, `-` or `_`, starting with a letter or digit")
            }
            if let network = readNetwork(name: entry.name, entry.value, keyNode: entry.key) {
                networks.append(network)
            }
        }
        return networks
    }

    static func isValidName(_ name: String) -> Bool {
        guard (1...50).contains(name.utf8.count), let first = name.unicodeScalars.first,
              first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
        }
    }

    /// The definition when its `cidr` is usable (other invalid values are logged and defaulted).
    private func readNetwork(name: String, _ node: Node, keyNode: Node) -> NetworkDefinition? {
        let origin = "networks.\(name)"
        guard let map = reader.mapping(node, key: "networks.\(name)", allowed: Self.keys, label: "network `\(name)`") else { return nil }
        var subnet: IPv4Network?
        if let cidrNode = map.require("cidr", in: "network `\(name)`", at: keyNode.position,
                                      hint: "add `cidr: 192.168.56.0/24` (an IPv4 network) under `\(name):`") {
            context.record("\(origin).cidr", cidrNode)
            if let text = reader.string(cidrNode, key: "cidr") {
                subnet = parseCIDR(text, at: cidrNode)
            }
        }
        let dhcp = map["dhcp"].flatMap { reader.bool($0, key: "dhcp") } ?? true
        var range: DHCPRange?
        if let rangeNode = map["dhcp_range"] {
            range = readRange(rangeNode, subnet: subnet, dhcp: dhcp)
        }
        let mode = map["mode"].flatMap { reader.choice($0, key: "mode", as: NetworkDefinition.Mode.self) } ?? .isolated
        let kind = map["switch"].flatMap { reader.choice($0, key: "switch", as: NetworkDefinition.Switch.self) } ?? .bridge
        var vlan: Int?
        if let vlanNode = map["vlan"] {
            vlan = reader.int(vlanNode, key: "vlan", range: 1...4094)
            if kind != .ovs {
                context.log.error("`vlan` needs an Open vSwitch network", at: vlanNode,
                                  hint: "add `switch: ovs` to network `\(name)` or remove `vlan`")
            }
        }
        if kind == .ovs {
            // vmfile gives an Open vSwitch network no host address: nothing to serve DHCP or NAT from.
            let hint = "Open vSwitch networks carry guests' traffic only: give machines static `ip:`s (auto_config sets them), or use `switch: bridge`"
            if let node = map["mode"], mode == .nat {
                context.log.error("network `\(name)` uses Open vSwitch, which vmfile runs without NAT", at: node, hint: hint)
            }
            if let node = map["dhcp"], dhcp {
                context.log.error("network `\(name)` uses Open vSwitch, which vmfile runs without DHCP", at: node, hint: hint)
            }
            if let node = map["dhcp_range"] {
                context.log.error("network `\(name)` uses Open vSwitch, which vmfile runs without DHCP", at: node, hint: hint)
            }
        }
        guard let subnet else { return nil }
        return NetworkDefinition(name: name, cidr: subnet.description, dhcp: dhcp && kind != .ovs, dhcpRange: range, mode: mode,
                                 switch: kind, vlan: vlan)
    }

    private func parseCIDR(_ text: String, at node: Node) -> IPv4Network? {
        do {
            let subnet = try IPv4Network(parsing: text)
            guard (8...30).contains(subnet.prefixLength) else {
                context.log.error("`\(text)` has a /\(subnet.prefixLength) prefix, outside /8–/30", at: node,
                                  hint: "use a prefix from /8 to /30 so the network has room for the host and guests")
                return nil
            }
            return subnet
        } catch .hostBitsSet(let suggested) {
            context.log.error("`\(text)` is not a network address (host bits are set)", at: node,
                              hint: "did you mean `\(suggested)`?")
        } catch {
            context.log.error("`\(text)` is not an IPv4 network in CIDR form", at: node,
                              hint: "write it like `192.168.56.0/24`")
        }
        return nil
    }

    private func readRange(_ node: Node, subnet: IPv4Network?, dhcp: Bool) -> DHCPRange? {
        guard let map = reader.mapping(node, key: "dhcp_range", allowed: ["start", "end"]) else { return nil }
        var addresses: [IPv4Address] = []
        for key in ["start", "end"] {
            guard let value = map.require(key, in: "`dhcp_range`", hint: "give both `start:` and `end:` addresses"),
                  let text = reader.string(value, key: key)
            else { continue }
            guard let ip = IPv4Address(text) else {
                context.log.error("`\(text)` is not an IPv4 address", at: value, hint: "write it like `192.168.56.100`")
                continue
            }
            if let subnet, let problem = AddressRules.problem(with: ip, in: subnet) {
                context.log.error("dhcp_range \(key) \(text) \(problem)", at: value,
                                  hint: AddressRules.usableRangeHint(subnet))
                continue
            }
            addresses.append(ip)
        }
        guard addresses.count == 2 else { return nil }
        if addresses[0] > addresses[1] {
            context.log.error("dhcp_range start \(addresses[0]) is after its end \(addresses[1])", at: node,
                              hint: "swap `start` and `end`")
            return nil
        }
        if !dhcp {
            context.log.error("`dhcp_range` is set but `dhcp` is false", at: node,
                              hint: "remove `dhcp_range` or set `dhcp: true`")
            return nil
        }
        return DHCPRange(start: addresses[0].description, end: addresses[1].description)
    }
}
