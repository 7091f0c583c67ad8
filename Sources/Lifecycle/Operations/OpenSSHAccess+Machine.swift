import Foundation
import Provisioner
import Spec

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
