import Yams

extension AttachmentReader {
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
}
