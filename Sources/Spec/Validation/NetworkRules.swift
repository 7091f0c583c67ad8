/// Checks that span networks and machines: overlapping subnets, undeclared networks, static
/// addresses outside their subnet or used twice.
enum NetworkRules {
    static func check(networks: [NetworkDefinition], machines: [Machine], declaredNames: Set<String>,
                      context: LoadContext) {
        checkOverlaps(networks, context: context)
        var subnets: [String: (definition: NetworkDefinition, subnet: IPv4Network)] = [:]
        for network in networks {
            if let subnet = try? IPv4Network(parsing: network.cidr) { subnets[network.name] = (network, subnet) }
        }
        var staticOwners: [String: String] = [:]
        for machine in machines {
            for (index, attachment) in machine.networks.enumerated() {
                guard case .private(let link) = attachment else { continue }
                let origin = "machines.\(machine.name).networks.\(index)"
                guard let (definition, subnet) = subnets[link.network] else {
                    if !declaredNames.contains(link.network) {
                        let declared = networks.map(\.name)
                        context.log.error("machine `\(machine.name)` uses private network `\(link.network)`, which is not declared",
                                          at: context.position("\(origin).private", or: "machines.\(machine.name)"),
                                          hint: declared.isEmpty
                                              ? "declare it under top-level `networks:` with a `cidr:`"
                                              : Suggestions.hint(for: link.network, in: declared, listing: "declared networks"))
                    }
                    continue
                }
                if context.has("\(origin).unchecked") { continue }
                guard let text = link.ip else {
                    if definition.switch == .ovs {
                        context.log.error("network `\(link.network)` uses Open vSwitch, without DHCP, so `dhcp: true` gets no address",
                                          at: context.position("\(origin).private"),
                                          hint: "give this machine a static `ip:` (auto_config sets it in the guest)")
                    } else if !definition.dhcp {
                        context.log.error("network `\(link.network)` has DHCP turned off, so `dhcp: true` gets no address",
                                          at: context.position("\(origin).private"),
                                          hint: "give this machine a static `ip:` or set `dhcp: true` on the network")
                    }
                    continue
                }
                guard let ip = IPv4Address(text) else { continue }
                let position = context.position("\(origin).ip", or: "\(origin).private")
                if let problem = AddressRules.problem(with: ip, in: subnet) {
                    context.log.error("ip \(text) \(problem) (network `\(link.network)`)", at: position,
                                      hint: AddressRules.usableRangeHint(subnet))
                    continue
                }
                if let range = definition.dhcpRange, let start = IPv4Address(range.start),
                   let end = IPv4Address(range.end), (start...end).contains(ip) {
                    context.log.error("ip \(text) is inside the DHCP range \(range.start)–\(range.end) of `\(link.network)`",
                                      at: position, hint: "pick a static address outside the DHCP range")
                    continue
                }
                let key = "\(link.network)/\(ip)"
                if let owner = staticOwners[key] {
                    let who = owner == machine.name ? "this machine" : "machine `\(owner)`"
                    context.log.error("ip \(text) on `\(link.network)` is already used by \(who)", at: position,
                                      hint: "give every machine its own address")
                } else {
                    staticOwners[key] = machine.name
                }
            }
        }
    }

    private static func checkOverlaps(_ networks: [NetworkDefinition], context: LoadContext) {
        var seen: [(name: String, subnet: IPv4Network)] = []
        for network in networks {
            guard let subnet = try? IPv4Network(parsing: network.cidr) else { continue }
            if let other = seen.first(where: { $0.subnet.overlaps(subnet) }) {
                context.log.error("network `\(network.name)` (\(subnet)) overlaps network `\(other.name)` (\(other.subnet))",
                                  at: context.position("networks.\(network.name).cidr", or: "networks.\(network.name)"),
                                  hint: "give each network its own address range, e.g. a different third octet")
            }
            seen.append((network.name, subnet))
        }
    }
}
