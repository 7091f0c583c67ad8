import Foundation
import Spec

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

extension MachineController {
    /// Prepares OpenSSH access to a running machine: writes known_hosts from the pinned host key
    /// and, when the machine has no key of its own, the login key to use.
    public func openSSHAccess(to machine: Machine) throws -> OpenSSHAccess {
        guard try status(of: machine) == .running, let target = try sshTarget(of: machine) else {
            throw LifecycleError(.notCreated, "machine '\(machine.name)' is not running",
                                 hint: "start it with `vmfile up \(machine.name)`")
        }
        let files = project.files(of: machine.name)
        guard let pin = try? String(contentsOf: files.hostKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
              !pin.isEmpty else {
            throw LifecycleError(.notCreated, "machine '\(machine.name)' has no pinned host key yet",
                                 hint: "run `vmfile up \(machine.name)` to finish its first boot")
        }
        let alias = project.domainName(of: machine.name)
        try "\(alias) \(pin)\n".write(to: files.knownHosts, atomically: true, encoding: .utf8)
        let identity: String
        if FileManager.default.fileExists(atPath: files.privateKey.path) {
            identity = files.privateKey.path
        } else if let configured = machine.ssh.privateKey {
            identity = configured
        } else {
            let insecure = files.directory.appendingPathComponent("insecure_key")
            guard FileManager.default.createFile(atPath: insecure.path, contents: Data(InsecureKeys.ed25519.utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw LifecycleError(.guest, "cannot write \(insecure.path)")
            }
            identity = insecure.path
        }
        return OpenSSHAccess(alias: machine.name, address: target.host, port: target.port, user: machine.ssh.username,
                             identityFile: identity, knownHostsFile: files.knownHosts.path, hostKeyAlias: alias)
    }
}
