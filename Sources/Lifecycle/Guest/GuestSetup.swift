import Foundation
import Provisioner
import Spec

/// First-contact work on a guest that answers SSH: pin its host key, replace Vagrant's insecure
/// key with a per-machine key, and set the hostname. Each step is skipped when already done.
struct GuestSetup {
    let machine: Machine
    let files: MachineFiles
    let session: any GuestSession
    let guests: any GuestConnector
    let address: String

    func run() throws {
        try pinHostKey()
        try insertMachineKey()
        try setHostname()
    }

    /// The connector already verified an existing pin; the first contact writes it.
    private func pinHostKey() throws {
        guard !FileManager.default.fileExists(atPath: files.hostKey.path) else { return }
        try (session.hostKey + "\n").write(to: files.hostKey, atomically: true, encoding: .utf8)
    }

    /// Saves the new key locally before the guest trusts it: a run killed in between still logs in
    /// with the insecure key next time (it is tried after the machine's own).
    private func insertMachineKey() throws {
        guard machine.ssh.insertKey, machine.ssh.privateKey == nil,
              !FileManager.default.fileExists(atPath: files.privateKey.path) else { return }
        let pair = try guests.generateKeyPair(comment: "vmfile \(machine.name)")
        let staged = files.stagedPrivateKey
        guard FileManager.default.createFile(atPath: staged.path, contents: Data(pair.privateKey.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw LifecycleError(.guest, "cannot write \(staged.path)", hint: "check that the project directory is writable")
        }
        let script = """
            umask 077 && mkdir -p ~/.ssh && printf '%s\\n' \(ShellQuote.quote(pair.publicKey)) > ~/.ssh/authorized_keys.vmfile \
            && mv ~/.ssh/authorized_keys.vmfile ~/.ssh/authorized_keys
            """
        try check(session.run(script), doing: "install the machine's SSH key")
        try FileManager.default.moveItem(at: staged, to: files.privateKey)
    }

    private func setHostname() throws {
        let name = ShellQuote.quote(machine.hostname)
        let script = "[ \"$(hostname)\" = \(name) ] || sudo -n sh -c 'hostname \"$1\" && echo \"$1\" > /etc/hostname' sh \(name)"
        try check(session.run(script), doing: "set the hostname to \(machine.hostname)")
    }

    private func check(_ result: GuestCommandResult, doing what: String) throws {
        guard result.status == 0 else {
            throw LifecycleError(.guest, "machine '\(machine.name)': could not \(what) (exit \(result.status))",
                                 hint: result.stderr.isEmpty ? nil : result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
