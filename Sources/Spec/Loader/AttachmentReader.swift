import Yams

/// Reads a machine's list-valued attachments: `forwarded_ports`, `networks`, `synced_folders`.
struct AttachmentReader {
    static let portKeys = ["guest", "host", "protocol", "host_ip", "auto_correct", "id"]
    static let privateKeys = ["private", "ip", "dhcp", "auto_config"]
    static let publicKeys = ["bridge", "dev", "mode", "ip"]
    static let folderKeys = ["host", "guest", "type", "disabled"]

    let context: LoadContext
    var reader: NodeReader { NodeReader(log: context.log) }

    // MARK: forwarded_ports

    func forwardedPorts(_ node: Node, origin: String) -> [ForwardedPort] {
        guard let items = reader.sequence(node, key: "forwarded_ports") else { return [] }
        var ports: [ForwardedPort] = []
        var ids: Set<String> = []
        for (index, item) in items.enumerated() {
            guard let map = entry(item, key: "forwarded_ports", allowed: Self.portKeys,
                                  example: "`- {guest: 80, host: 8080}`")
            else { continue }
            let entryOrigin = "\(origin).\(index)"
            let guest = map.require("guest", in: "forwarded port", hint: "add `guest: <port in the guest>`")
                .flatMap { reader.int($0, key: "guest", range: 1...65535) }
            let hostNode = map.require("host", in: "forwarded port", hint: "add `host: <port on this machine>`")
            if let hostNode { context.record("\(entryOrigin).host", hostNode) }
            let host = hostNode.flatMap { reader.int($0, key: "host", range: 1...65535) }
            let proto = map["protocol"].flatMap {
                reader.choice($0, key: "protocol", as: ForwardedPort.TransportProtocol.self)
            } ?? .tcp
            var hostIP = "127.0.0.1"
            var ipValid = true
            if let value = map["host_ip"], let text = reader.string(value, key: "host_ip") {
                if IPv4Address(text) != nil { hostIP = text } else {
                    ipValid = false
                    context.log.error("`host_ip` \(text) is not an IPv4 address", at: value,
                                      hint: "use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)")
                }
            }
            let autoCorrect = map["auto_correct"].flatMap { reader.bool($0, key: "auto_correct") } ?? false
            let id = map["id"].flatMap { reader.nonEmptyString($0, key: "id") }
            guard let guest, let host, ipValid else { continue }
            let port = ForwardedPort(guest: guest, host: host, protocol: proto, hostIP: hostIP,
                                     autoCorrect: autoCorrect, id: id)
            if !ids.insert(port.id).inserted {
                context.log.error("two forwarded ports have the id `\(port.id)`", at: map["id"] ?? item,
                                  hint: "give each forwarded port of a machine a distinct `id:`")
            }
            ports.append(port)
        }
        return ports
    }

    // MARK: networks

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
        guard let map = reader.mapping(node, key: "networks entry", allowed: Self.privateKeys),
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
        guard let outer = reader.mapping(node, key: "networks entry", allowed: ["public"] + Self.publicKeys),
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
        return valid && (attachment.bridge != nil || attachment.dev != nil) ? attachment : nil
    }

    // MARK: synced_folders

    func syncedFolders(_ node: Node) -> [SyncedFolder] {
        guard let items = reader.sequence(node, key: "synced_folders") else { return [] }
        var folders: [SyncedFolder] = []
        for item in items {
            guard let map = entry(item, key: "synced_folders", allowed: Self.folderKeys,
                                  example: "`- {host: ., guest: /vagrant}`")
            else { continue }
            let disabled = map["disabled"].flatMap { reader.bool($0, key: "disabled") } ?? false
            let type = map["type"].flatMap { reader.choice($0, key: "type", as: SyncedFolder.Kind.self) } ?? .rsync
            var host: String?
            if let value = map.require("host", in: "synced folder", hint: "add `host: <directory on this machine>`"),
               let text = reader.nonEmptyString(value, key: "host") {
                let absolute = context.absolutePath(text)
                let status = context.fileExists(absolute)
                if disabled || status.isDirectory {
                    host = absolute
                } else {
                    context.log.error(status.exists ? "synced folder host path `\(text)` is not a directory"
                                          : "synced folder host path `\(text)` does not exist", at: value,
                                      hint: "looked for \(absolute); create it or fix the path (relative to the Vmfile)")
                }
            }
            var guest: String?
            if let value = map.require("guest", in: "synced folder", hint: "add `guest: /path/in/guest`"),
               let text = reader.nonEmptyString(value, key: "guest") {
                if text.hasPrefix("/") { guest = text } else {
                    context.log.error("synced folder guest path `\(text)` is not absolute", at: value,
                                      hint: "start it with `/`, e.g. `/\(text)`")
                }
            }
            if let host, let guest {
                folders.append(SyncedFolder(host: host, guest: guest, type: type, disabled: disabled))
            }
        }
        return folders
    }

    private func entry(_ item: Node, key: String, allowed: [String], example: String) -> KeyedMapping? {
        guard case .mapping = item else {
            context.log.error("each `\(key)` entry must be a mapping, not \(NodeReader.describe(item))", at: item,
                              hint: "write entries like \(example)")
            return nil
        }
        return reader.mapping(item, key: "\(key) entry", allowed: allowed)
    }
}
