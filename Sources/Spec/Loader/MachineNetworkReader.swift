import Yams

extension AttachmentReader {
    func networks(_ node: Node, origin: String) -> [MachineNetwork] {
        guard let items = reader.sequence(node, key: "networks") else { return [] }
        var result: [MachineNetwork] = []
        for (index, item) in items.enumerated() {
            let entryOrigin = "\(origin).\(index)"
            guard case .mapping(let raw) = item else {
                context.log.error("a machine network must be a mapping, not \(NodeReader.describe(item))", at: item,
                                  hint: "write `- private: NAME` with `ip:` or `dhcp: true`, or `- public: {bridge: br0}`")
                continue
            }
            let kinds: [String] = raw.keys.compactMap { $0.scalar?.string }.filter { $0 == "private" || $0 == "public" }
            switch kinds {
            case ["private"]:
                if let attachment = privateNetwork(item, origin: entryOrigin) { result.append(.private(attachment)) }
            case ["public"]:
                if let attachment = publicNetwork(item) { result.append(.public(attachment)) }
            case []:
                context.log.error("a machine network needs `private:` or `public:`", at: item,
                                  hint: "write `- private: NAME` with `ip:` or `dhcp: true`, or `- public: {bridge: br0}`")
            default:
                context.log.error("a machine network cannot be both `private` and `public`", at: item,
                                  hint: "list them as two entries")
            }
        }
        return result
    }

    /// The attachment whenever it names a network, so the network checks still run; when its address
    /// settings are invalid, `<origin>.unchecked` is recorded and address checks skip it.
    private func privateNetwork(_ node: Node, origin: String) -> PrivateAttachment? {
        guard let map = reader.mapping(node, key: "networks", allowed: Self.privateKeys, label: "a private `networks` entry"),
              let nameNode = map["private"]
        else { return nil }
        context.record("\(origin).private", nameNode)
        let name = reader.nonEmptyString(nameNode, key: "private")
        let dhcp = map["dhcp"].flatMap { reader.bool($0, key: "dhcp") }
        let autoConfig = map["auto_config"].flatMap { reader.bool($0, key: "auto_config") } ?? true
        var ip: String?
        var valid = true
        if let value = map["ip"] {
            context.record("\(origin).ip", value)
            if let text = reader.string(value, key: "ip") {
                if IPv4Address(text) != nil { ip = text } else {
                    valid = false
                    context.log.error("`ip` \(text) is not an IPv4 address", at: value,
                                      hint: "write it like `192.168.56.10`, or use `dhcp: true` instead")
                }
            } else { valid = false }
        }
        switch (map["ip"], dhcp) {
        case (.some, true?):
            valid = false
            context.log.error("a private network has both `ip` and `dhcp: true`", at: map.keyNode("dhcp") ?? node,
                              hint: "keep `ip:` for a static address or `dhcp: true`, not both")
        case (nil, true?):
            break
        case (nil, _):
            valid = false
            context.log.error("private network `\(name ?? "?")` needs `ip:` or `dhcp: true`", at: nameNode,
                              hint: "add `ip: <address>` or `dhcp: true` to this entry")
        default:
            break
        }
        guard let name else { return nil }
        if !valid { context.record("\(origin).unchecked", nameNode) }
        return PrivateAttachment(network: name, ip: ip, autoConfig: autoConfig)
    }

    /// `- public: {bridge: br0}` / `- public: {dev: eth0, mode: vepa}`; the same keys may instead sit
    /// next to `public: true`.
    private func publicNetwork(_ node: Node) -> PublicAttachment? {
        guard let outer = reader.mapping(node, key: "networks", allowed: ["public"] + Self.publicKeys, label: "a public `networks` entry"),
              let value = outer["public"]
        else { return nil }
        var entries = outer.entries.filter { $0.name != "public" }
        if case .mapping = value {
            guard let inner = reader.mapping(value, key: "public", allowed: Self.publicKeys) else { return nil }
            for entry in inner.entries {
                if let sibling = entries.first(where: { $0.name == entry.name }) {
                    context.log.error("`\(entry.name)` is set both inside and next to `public:`", at: sibling.key,
                                      hint: "keep one of them")
                    return nil
                }
                entries.append(entry)
            }
        } else if reader.bool(value, key: "public") != true {
            return nil
        }
        let map = KeyedMapping(node: node, entries: entries, log: context.log)
        var attachment = PublicAttachment()
        var valid = true
        attachment.bridge = map["bridge"].flatMap { reader.nonEmptyString($0, key: "bridge") }
        attachment.dev = map["dev"].flatMap { reader.nonEmptyString($0, key: "dev") }
        if let modeNode = map["mode"] {
            attachment.mode = reader.choice(modeNode, key: "mode", as: PublicAttachment.MacvtapMode.self)
            if map["dev"] == nil {
                valid = false
                context.log.error("`mode` applies only to `dev:` (macvtap) public networks", at: modeNode,
                                  hint: "add `dev: <host interface>` or remove `mode`")
            }
        } else if attachment.dev != nil {
            attachment.mode = .bridge
        }
        switch (map["bridge"], map["dev"]) {
        case (.some, .some):
            valid = false
            context.log.error("a public network has both `bridge` and `dev`", at: map.keyNode("dev") ?? node,
                              hint: "use `bridge:` for an existing host bridge or `dev:` for macvtap, not both")
        case (nil, nil):
            valid = false
            context.log.error("a public network needs `bridge:` or `dev:`", at: value,
                              hint: "write `public: {bridge: br0}` or `public: {dev: eth0, mode: bridge}`")
        default:
            break
        }
        if let ipNode = map["ip"], let text = reader.string(ipNode, key: "ip") {
            if IPv4Address(text) != nil { attachment.ip = text } else {
                valid = false
                context.log.error("`ip` \(text) is not an IPv4 address", at: ipNode,
                                  hint: "write it like `192.168.1.50`, or leave `ip` out to use DHCP")
            }
        }
        if let maskNode = map["netmask"], let text = reader.string(maskNode, key: "netmask") {
            attachment.netmask = text
            if attachment.prefixLength == nil {
                valid = false
                context.log.error("`netmask` \(text) is not a netmask", at: maskNode, hint: "write it like `255.255.255.0`")
            } else if map["ip"] == nil {
                valid = false
                context.log.error("`netmask` applies only with a static `ip`", at: maskNode, hint: "add `ip:` or remove `netmask`")
            }
        }
        attachment.autoConfig = map["auto_config"].flatMap { reader.bool($0, key: "auto_config") } ?? true
        return valid && (attachment.bridge != nil || attachment.dev != nil) ? attachment : nil
    }
}
