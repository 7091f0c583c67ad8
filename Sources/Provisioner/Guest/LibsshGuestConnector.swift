import Foundation
import HostSupport

/// `GuestConnector` over this module's libssh client: one in-process SSH connection per machine, no
/// `ssh` process per probe. Blocking: callers are the lifecycle's per-machine threads and the builder.
public struct LibsshGuestConnector: GuestConnector {
    public init() {}

    public func waitUntilReady(_ endpoint: GuestEndpoint, keys: [GuestLoginKey], pinnedHostKey: String?,
                               deadline: Date) throws -> any GuestSession {
        let pin = try pinnedHostKey.map { try HostKeyPin(openSSHLine: $0) }
        let configuration = SSHConfiguration(
            host: endpoint.host, port: endpoint.port, user: endpoint.user,
            keys: keys.map { SSHPrivateKey.inMemory($0.text, label: $0.label) },
            password: endpoint.password, hostKeyPin: pin)
        let timeout = max(1, deadline.timeIntervalSinceNow)
        return LibsshGuestSession(session: try SSHSession.waitUntilReadyBlocking(configuration, timeout: timeout))
    }

    public func generateKeyPair(comment: String) throws -> (privateKey: String, publicKey: String) {
        let pair = try SSHKeyPair.generateEd25519(comment: comment)
        return (pair.privateKeyOpenSSH, pair.publicKeyLine)
    }

    public func rsync(_ arguments: [String]) throws -> GuestCommandResult {
        let result: HostCommandResult
        do {
            result = try HostCommand.run("rsync", arguments)
        } catch {
            throw ProvisionError(.guest, "\(error)", hint: "install rsync on this host (Debian: apt-get install rsync)", cause: error)
        }
        return result.text
    }
}

/// A connected libssh session seen as a `GuestSession`.
final class LibsshGuestSession: GuestSession {
    let session: SSHSession

    init(session: SSHSession) {
        self.session = session
    }

    var hostKey: String { session.hostKey.openSSHLine }

    var authenticatedKeyText: String? { session.authenticatedWith?.text }

    func run(_ command: String) throws -> GuestCommandResult {
        let result = try session.run(command)
        return GuestCommandResult(status: result.status.signal == nil ? result.status.code : 128 + 9,
                                  stdout: result.stdoutText, stderr: result.stderrText)
    }

    func execute(_ command: String, stdin: Data?, output: (GuestStream, Data) -> Void) throws -> GuestExit {
        try session.execute(command, stdin: stdin, onStdout: { output(.stdout, $0) }, onStderr: { output(.stderr, $0) })
    }

    func close() {
        session.close()
    }
}

/// Vagrant's insecure private keys, for first contact with Vagrant-style boxes.
public enum InsecureKeys {
    /// The ed25519 key (what `vmfile ssh` offers a machine that has no key of its own).
    public static var ed25519: String { VagrantInsecureKey.ed25519 }
    /// The RSA key (the only one older Vagrants, such as Debian 12's 2.3.4, offer).
    public static var rsa: String { VagrantInsecureKey.rsa }
    /// Both keys, ed25519 first.
    public static var all: [String] { [VagrantInsecureKey.ed25519, VagrantInsecureKey.rsa] }
    /// Both keys as login keys named for error messages.
    public static var loginKeys: [GuestLoginKey] {
        [GuestLoginKey(VagrantInsecureKey.ed25519, label: "Vagrant's insecure ed25519 key"),
         GuestLoginKey(VagrantInsecureKey.rsa, label: "Vagrant's insecure RSA key")]
    }
}
