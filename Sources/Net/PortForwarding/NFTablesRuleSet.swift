import Spec

/// The nftables rules behind forwarded ports, rendered as `nft -f` scripts.
///
/// Everything lives in one table, `ip vmfile`. Each machine (owner: its domain name) has three NAT
/// base chains of its own — `<owner>-out` (output hook: connections from this host, including
/// 127.0.0.1), `<owner>-pre` (prerouting: connections from elsewhere) and `<owner>-post`
/// (postrouting: masquerade of loopback-sourced connections so the guest can answer). A script
/// creates, flushes and refills them in one transaction, so a rerun replaces the machine's rules
/// atomically and never touches another machine's.
public enum NFTablesRuleSet {
    /// The table's family and name.
    public static let table = "ip vmfile"

    /// The chain names of `owner`.
    public static func chains(of owner: String) -> [String] {
        ["\(owner)-pre", "\(owner)-out", "\(owner)-post"]
    }

    /// A script that makes `owner`'s chains hold exactly the DNAT rules for `mappings` to `guest`.
    public static func replace(owner: String, mappings: [PortMapping], guest: IPv4Address) -> String {
        var lines = declare(owner)
        for chain in chains(of: owner) { lines.append("flush chain \(table) \(chain)") }
        for mapping in mappings {
            let proto = mapping.protocol.rawValue
            let match = mapping.hostIP == "0.0.0.0" ? "fib daddr type local" : "ip daddr \(mapping.hostIP)"
            let dnat = "\(match) \(proto) dport \(mapping.hostPort) dnat to \(guest):\(mapping.guestPort) comment \"\(mapping.id)\""
            lines.append("add rule \(table) \(owner)-out \(dnat)")
            if !isLoopback(mapping.hostIP) {
                lines.append("add rule \(table) \(owner)-pre \(dnat)")
            }
            // A connection from 127.0.0.1 keeps that source after DNAT; the guest could not answer it.
            lines.append("add rule \(table) \(owner)-post ct status dnat ip saddr 127.0.0.0/8 ip daddr \(guest) "
                         + "\(proto) dport \(mapping.guestPort) masquerade comment \"\(mapping.id)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A script that removes `owner`'s chains; it succeeds whether or not they exist.
    public static func remove(owner: String) -> String {
        var lines = declare(owner)
        for chain in chains(of: owner) {
            lines.append("flush chain \(table) \(chain)")
            lines.append("delete chain \(table) \(chain)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Host endpoints the forwards in `listing` (`nft list table ip vmfile` output) occupy, except
    /// those in `owner`'s chains.
    public static func endpoints(in listing: String, excludingOwner owner: String) -> [HostEndpoint] {
        let own = Set(chains(of: owner))
        var endpoints: [HostEndpoint] = []
        var chain = ""
        for raw in listing.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ").map(String.init)
            if words.first == "chain", words.count >= 2 {
                chain = words[1]
                continue
            }
            guard !own.contains(chain), chain.hasSuffix("-out"), words.contains("dnat"),
                  let dport = words.firstIndex(of: "dport"), dport >= 1, dport + 1 < words.count,
                  let proto = ForwardedPort.TransportProtocol(rawValue: words[dport - 1]),
                  let port = Int(words[dport + 1]) else { continue }
            var address = "0.0.0.0"
            if let daddr = words.firstIndex(of: "daddr"), daddr >= 1, words[daddr - 1] == "ip", daddr + 1 < words.count {
                address = words[daddr + 1]
            }
            endpoints.append(HostEndpoint(protocol: proto, address: address, port: port))
        }
        return endpoints
    }

    /// Whether `address` is in 127.0.0.0/8.
    public static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.")
    }

    private static func declare(_ owner: String) -> [String] {
        [
            "add table \(table)",
            "add chain \(table) \(owner)-pre { type nat hook prerouting priority -100; policy accept; }",
            "add chain \(table) \(owner)-out { type nat hook output priority -100; policy accept; }",
            "add chain \(table) \(owner)-post { type nat hook postrouting priority 100; policy accept; }",
        ]
    }
}
