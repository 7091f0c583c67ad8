import Yams

/// `boot:` and `ssh:`: typing into the installer, then logging in to what it installed.
extension BoxfileReader {
    func readBoot(_ node: Node, templates: TemplateRules) -> BootSettings {
        var boot = BootSettings()
        guard let map = reader.mapping(node, key: "boot", allowed: ["wait", "command"]) else { return boot }
        if let value = map["wait"], let wait = reader.duration(value, key: "boot.wait") { boot.wait = wait }
        guard let value = map["command"] else { return boot }
        // One string alone is a one-entry list; entries are typed one after another with nothing between.
        let items: [Node]
        if case .scalar = value, !NodeReader.isNull(value) { items = [value] } else {
            items = reader.sequence(value, key: "boot.command") ?? []
        }
        for item in items {
            guard let text = reader.string(item, key: "boot.command") else { continue }
            let parsed = BootCommandParser.parse(text)
            for error in parsed.errors { log.error(error, in: item, key: "boot.command") }
            for step in parsed.steps {
                if case .text(let template) = step { templates.check(template, in: item, key: "boot.command") }
            }
            boot.command += parsed.steps
        }
        return boot
    }

    static let sshKeys = ["username", "password", "private_key", "port", "timeout", "wait_for_reboot"]

    func readSSH(_ node: Node) -> BuildSSH {
        var ssh = BuildSSH()
        guard let map = reader.mapping(node, key: "ssh", allowed: Self.sshKeys) else { return ssh }
        if let value = map["username"], let text = reader.nonEmptyString(value, key: "ssh.username") { ssh.username = text }
        switch (map["password"], map["private_key"]) {
        case (let password?, nil):
            if let text = reader.string(password, key: "ssh.password") { ssh.credential = .password(text) }
        case (nil, let key?):
            if let text = reader.nonEmptyString(key, key: "ssh.private_key"),
               let path = context.existingPath(text, at: key, what: "private key") {
                ssh.credential = .privateKey(path)
            }
        case (.some, .some):
            log.error("`ssh` has both `password` and `private_key`", at: map.keyNode("private_key") ?? node,
                      hint: "keep the one the installed system accepts")
        case (nil, nil):
            break
        }
        if let value = map["port"], let port = reader.int(value, key: "ssh.port", range: 1...65535) { ssh.port = port }
        if let value = map["timeout"], let timeout = reader.duration(value, key: "ssh.timeout") { ssh.timeout = timeout }
        if let value = map["wait_for_reboot"], let flag = reader.bool(value, key: "ssh.wait_for_reboot") { ssh.waitForReboot = flag }
        return ssh
    }
}
