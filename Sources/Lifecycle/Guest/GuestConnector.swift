import Foundation

/// How the lifecycle reaches a guest over SSH. `LibsshGuestConnector` implements it with the
/// Provisioner's libssh client; unit tests use a fake.
public protocol GuestConnector: Sendable {
    /// Waits until the guest at `host:port` accepts SSH with one of `keys` (private keys, OpenSSH or
    /// PEM text), checking the server key against `pinnedHostKey` when given.
    func waitUntilReady(_ endpoint: GuestEndpoint, keys: [String], pinnedHostKey: String?,
                        deadline: Date) throws -> any GuestSession
    /// A fresh ed25519 key pair: (private key in OpenSSH format, public key line).
    func generateKeyPair(comment: String) throws -> (privateKey: String, publicKey: String)
}

/// Where a guest's SSH server listens, and as whom to log in.
public struct GuestEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String

    public init(host: String, port: Int, user: String) {
        self.host = host
        self.port = port
        self.user = user
    }
}

/// One authenticated SSH connection to a guest.
public protocol GuestSession: AnyObject {
    /// The server's host key as `algorithm base64`.
    var hostKey: String { get }
    /// Runs `command` through the guest's shell and captures its output.
    func run(_ command: String) throws -> GuestCommandResult
    /// Closes the connection.
    func close()
}

/// Exit status and captured output of a guest command.
public struct GuestCommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}
