import Foundation
import Spec

/// First-contact work on a guest that answers SSH: pin its host key, replace Vagrant's insecure
/// key with a per-machine key, and set the hostname. Each step is skipped when already done.
///
/// The guest-side work is one command on the open connection: under TCG every extra channel, shell
/// and `sudo` is tens to hundreds of milliseconds of `up`, so `sudo` runs only when the hostname is wrong.
public struct FirstContactSetup {
    public let machine: Machine
    public let files: GuestKeyFiles
    public let session: any GuestSession
    public let guests: any GuestConnector

    public init(machine: Machine, files: GuestKeyFiles, session: any GuestSession, guests: any GuestConnector) {
        self.machine = machine
        self.files = files
        self.session = session
        self.guests = guests
    }

    /// Exit codes that say which part of the setup command failed.
    private enum Failure: Int32 {
        case key = 90
        case hostname = 91
    }

    /// Runs whatever part of the setup is not done yet.
    public func run() throws {
        try pinHostKey()
        let key = try stageMachineKey()
        var script = ""
        if let key {
            // The new key replaces the insecure one atomically: a half-written file would lock us out.
            // A per-run temp name: a killed run's command may still finish in the guest meanwhile.
            script += "{ umask 077 && mkdir -p ~/.ssh && printf '%s\\n' \(ShellQuote.quote(key.publicKey)) "
                + "> ~/.ssh/authorized_keys.vmfile.$$ && mv ~/.ssh/authorized_keys.vmfile.$$ ~/.ssh/authorized_keys; } "
                + "|| exit \(Failure.key.rawValue)\n"
        }
        let name = ShellQuote.quote(machine.hostname)
        script += "[ \"$(hostname)\" = \(name) ] || sudo -n sh -c 'hostname \"$1\" && echo \"$1\" > /etc/hostname' sh \(name) "
            + "|| exit \(Failure.hostname.rawValue)"
        let result = try session.run(script)
        if let key, result.status != Failure.key.rawValue {
            // The guest trusts the new key now (the hostname part came after it).
            try FileManager.default.moveItem(at: key.staged, to: files.privateKey)
            try? FileManager.default.removeItem(at: files.stagedPublicKey)
        }
        switch result.status {
        case 0: return
        case Failure.key.rawValue: try fail(result, doing: "install the machine's SSH key")
        case Failure.hostname.rawValue: try fail(result, doing: "set the hostname to \(machine.hostname)")
        default: try fail(result, doing: "finish first-contact setup")
        }
    }

    /// The connector already verified an existing pin; the first contact writes it.
    private func pinHostKey() throws {
        guard !FileManager.default.fileExists(atPath: files.hostKey.path) else { return }
        try (session.hostKey + "\n").write(to: files.hostKey, atomically: true, encoding: .utf8)
    }

    /// A new key pair when the machine should get its own key and has none yet, saved locally (staged)
    /// before the guest trusts it: a run killed in between still logs in with the insecure key next time
    /// (it is tried after the machine's own). A pair a killed run staged is installed again, not replaced:
    /// that run's guest command may still finish after ours, and then it must have written the same key.
    private func stageMachineKey() throws -> (publicKey: String, staged: URL)? {
        guard machine.ssh.insertKey, machine.ssh.privateKey == nil,
              !FileManager.default.fileExists(atPath: files.privateKey.path) else { return nil }
        let staged = files.stagedPrivateKey
        if FileManager.default.fileExists(atPath: staged.path),
           let publicKey = try? String(contentsOf: files.stagedPublicKey, encoding: .utf8), !publicKey.isEmpty {
            return (publicKey, staged)
        }
        let pair = try guests.generateKeyPair(comment: "vmfile \(machine.name)")
        // The public half first: a staged private key without it is made again.
        try pair.publicKey.write(to: files.stagedPublicKey, atomically: true, encoding: .utf8)
        guard FileManager.default.createFile(atPath: staged.path, contents: Data(pair.privateKey.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ProvisionError(.guest, "cannot write \(staged.path)", hint: "check that the project directory is writable")
        }
        return (pair.publicKey, staged)
    }

    private func fail(_ result: GuestCommandResult, doing what: String) throws -> Never {
        throw ProvisionError(.guest, "machine '\(machine.name)': could not \(what) (exit \(result.status))",
                             hint: result.stderr.isEmpty ? nil : result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Where first-contact setup keeps one guest's SSH identity on the host.
public struct GuestKeyFiles: Sendable, Equatable {
    /// The guest host key pinned at first contact (`algorithm base64`).
    public var hostKey: URL
    /// The guest's own generated private key (OpenSSH format, mode 0600), once the guest trusts it.
    public var privateKey: URL
    /// A generated key not yet confirmed installed in the guest.
    public var stagedPrivateKey: URL
    /// The public half of the staged key, so a rerun installs the same key instead of a new one.
    public var stagedPublicKey: URL

    public init(hostKey: URL, privateKey: URL, stagedPrivateKey: URL, stagedPublicKey: URL) {
        self.hostKey = hostKey
        self.privateKey = privateKey
        self.stagedPrivateKey = stagedPrivateKey
        self.stagedPublicKey = stagedPublicKey
    }
}
