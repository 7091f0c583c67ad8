import Foundation

/// How the OpenSSH client reaches a machine: the options `vmfile ssh` execs `ssh` with and the
/// block `vmfile ssh-config` prints. The host key is checked against the pin taken at first contact.
public struct OpenSSHAccess: Sendable, Equatable {
    public var alias: String
    public var address: String
    public var port: Int
    public var user: String
    public var identityFile: String
    public var knownHostsFile: String
    /// Names the pinned key in known_hosts, so a changed guest IP keeps the same pin.
    public var hostKeyAlias: String

    public init(alias: String, address: String, port: Int, user: String, identityFile: String, knownHostsFile: String,
                hostKeyAlias: String) {
        self.alias = alias
        self.address = address
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.knownHostsFile = knownHostsFile
        self.hostKeyAlias = hostKeyAlias
    }

    /// `-o` options, `-i`, `-p`, then `user@address`.
    public var arguments: [String] {
        transportArguments + ["\(user)@\(address)"]
    }

    /// `-o` options, `-i` and `-p` without the destination: the remote shell rsync runs (`-e`).
    public var transportArguments: [String] {
        var arguments: [String] = []
        for (key, value) in options { arguments += ["-o", "\(key)=\(value)"] }
        return arguments + ["-i", identityFile, "-p", String(port)]
    }

    /// An `ssh_config` block for this machine.
    public var configBlock: String {
        var lines = ["Host \(alias)", "  HostName \(address)", "  User \(user)", "  Port \(port)", "  IdentityFile \(identityFile)"]
        lines += options.map { "  \($0.key) \($0.value)" }
        return lines.joined(separator: "\n") + "\n"
    }

    private var options: [(key: String, value: String)] {
        [
            ("IdentitiesOnly", "yes"),
            ("UserKnownHostsFile", knownHostsFile),
            ("StrictHostKeyChecking", "yes"),
            ("HostKeyAlias", hostKeyAlias),
            ("PasswordAuthentication", "no"),
            ("LogLevel", "ERROR"),
        ]
    }
}
