import Yams

/// Reads one machine (after `defaults:` were merged in) into a `Machine`.
struct MachineReader {
    static let keys = [
        "box", "box_version", "box_url", "cpus", "memory", "disk", "hostname", "primary", "autostart",
        "forwarded_ports", "networks", "synced_folders", "provision", "ssh", "boot_timeout",
        "graceful_halt_timeout",
    ]
    static let sshKeys = ["username", "port", "private_key", "insert_key"]

    let context: LoadContext
    var reader: NodeReader { NodeReader(log: context.log) }

    /// The machine as far as it could be read: invalid values are logged and replaced by defaults so
    /// the cross-machine checks still run. Nil only when the machine is not a mapping.
    func read(name: String, keyNode: Node, _ node: Node) -> Machine? {
        let origin = "machines.\(name)"
        context.record(origin, keyNode)
        if !HostnameRules.isValidLabel(name) {
            context.log.error("machine name `\(name)` is not a valid host name", at: keyNode,
                              hint: "use letters, digits and `-` (at most 63, not starting or ending with `-`),"
                                  + " e.g. `\(HostnameRules.suggestedLabel(for: name))`")
        }
        guard let map = reader.mapping(node, key: "machines.\(name)", allowed: Self.keys, label: "machine `\(name)`") else { return nil }

        var box = ""
        if let value = map.require("box", in: "machine `\(name)`", at: keyNode.position,
                                   hint: "add `box: tiny` (or any box name) under `\(name):` or under `defaults:`") {
            box = reader.nonEmptyString(value, key: "box") ?? ""
        }
        var boxVersion: VersionConstraint?
        if let value = map["box_version"], let text = reader.string(value, key: "box_version") {
            boxVersion = VersionConstraint(text)
            if boxVersion == nil {
                context.log.error("`\(text)` is not a box version constraint", at: value,
                                  hint: "write clauses like `>= 1.2, < 2` or `~> 1.4` (operators = != > < >= <= ~>)")
            }
        }
        let boxURL = map["box_url"].flatMap { reader.nonEmptyString($0, key: "box_url") }
        let cpus = map["cpus"].flatMap { reader.int($0, key: "cpus", range: 1...512) } ?? Machine.defaultCPUs
        let memory = map["memory"].flatMap { reader.memoryMiB($0) } ?? Machine.defaultMemoryMiB
        let disk = map["disk"].flatMap { reader.diskBytes($0) }
        var hostname = name
        if let value = map["hostname"], let text = reader.nonEmptyString(value, key: "hostname") {
            if HostnameRules.isValidHostname(text) {
                hostname = text
            } else {
                context.log.error("`\(text)` is not a valid host name", at: value,
                                  hint: "use dot-separated labels of letters, digits and `-`, e.g. `web.local`")
            }
        }
        var primary = false
        if let value = map["primary"] {
            context.record("\(origin).primary", value)
            primary = reader.bool(value, key: "primary") ?? false
        }
        let autostart = map["autostart"].flatMap { reader.bool($0, key: "autostart") } ?? true
        let attachments = AttachmentReader(context: context)
        let ports = map["forwarded_ports"].map { attachments.forwardedPorts($0, origin: "\(origin).forwarded_ports") } ?? []
        let networks = map["networks"].map { attachments.networks($0, origin: "\(origin).networks") } ?? []
        let folders = map["synced_folders"].map { attachments.syncedFolders($0) } ?? []
        let provision = map["provision"].map {
            ProvisionReader(context: context).read($0, origin: "\(origin).provision")
        } ?? []
        let ssh = map["ssh"].map(readSSH) ?? SSHSettings()
        let bootTimeout = map["boot_timeout"].flatMap {
            reader.int($0, key: "boot_timeout", range: 1...Int.max, unit: "s")
        } ?? Machine.defaultBootTimeout
        let haltTimeout = map["graceful_halt_timeout"].flatMap {
            reader.int($0, key: "graceful_halt_timeout", range: 1...Int.max, unit: "s")
        } ?? Machine.defaultGracefulHaltTimeout

        return Machine(
            name: name, box: box, boxVersion: boxVersion, boxURL: boxURL, cpus: cpus, memoryMiB: memory,
            diskBytes: disk, hostname: hostname, primary: primary, autostart: autostart, forwardedPorts: ports,
            networks: networks, syncedFolders: folders, provision: provision, ssh: ssh, bootTimeout: bootTimeout,
            gracefulHaltTimeout: haltTimeout)
    }

    private func readSSH(_ node: Node) -> SSHSettings {
        var settings = SSHSettings()
        guard let map = reader.mapping(node, key: "ssh", allowed: Self.sshKeys) else { return settings }
        if let value = map["username"], let text = reader.nonEmptyString(value, key: "username") {
            settings.username = text
        }
        if let value = map["port"], let port = reader.int(value, key: "port", range: 1...65535) {
            settings.port = port
        }
        if let value = map["private_key"], let text = reader.nonEmptyString(value, key: "private_key") {
            if let absolute = context.existingPath(text, at: value, what: "private key") { settings.privateKey = absolute }
        }
        if let value = map["insert_key"], let flag = reader.bool(value, key: "insert_key") {
            settings.insertKey = flag
        }
        return settings
    }
}
