import Foundation
import HostSupport

/// How the lifecycle reaches a guest over SSH. `LibsshGuestConnector` implements it with the
/// Provisioner's libssh client; unit tests use a fake.
public protocol GuestConnector: Sendable {
    /// Waits until the guest at `host:port` accepts SSH with one of `keys` (or `endpoint.password`), checking the server key
    /// against `pinnedHostKey` when given. A guest that answers but rejects every key fails within a few
    /// seconds with an `SSHError` naming the keys by their labels, not at `deadline`.
    func waitUntilReady(_ endpoint: GuestEndpoint, keys: [GuestLoginKey], pinnedHostKey: String?,
                        deadline: Date) throws -> any GuestSession
    /// A fresh ed25519 key pair: (private key in OpenSSH format, public key line).
    func generateKeyPair(comment: String) throws -> (privateKey: String, publicKey: String)
    /// Runs the host's `rsync` with `arguments` (its remote shell is OpenSSH with the machine's pinned
    /// key: see `RsyncInvocation`) and returns how it ended.
    func rsync(_ arguments: [String]) throws -> GuestCommandResult
}

extension GuestConnector {
    /// `waitUntilReady` with keys labelled `key 1`, `key 2`, … in error messages.
    public func waitUntilReady(_ endpoint: GuestEndpoint, keys: [String], pinnedHostKey: String?,
                               deadline: Date) throws -> any GuestSession {
        try waitUntilReady(endpoint, keys: keys.enumerated().map { GuestLoginKey($0.element, label: "key \($0.offset + 1)") },
                           pinnedHostKey: pinnedHostKey, deadline: deadline)
    }
}

/// A private key to log in with (OpenSSH or PEM text), and how errors name it: its file, or what it is.
public struct GuestLoginKey: Sendable, Equatable {
    public var text: String
    /// E.g. `/path/.vmfile/machines/web/id_ed25519` or `Vagrant's insecure ed25519 key`.
    public var label: String

    public init(_ text: String, label: String) {
        self.text = text
        self.label = label
    }
}

/// Where a guest's SSH server listens, and as whom to log in.
public struct GuestEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    /// Offered after the keys (or alone): a Boxfile's `ssh.password`. Machines log in with keys only.
    public var password: String?

    public init(host: String, port: Int, user: String, password: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
    }
}

/// One authenticated SSH connection to a guest.
public protocol GuestSession: AnyObject {
    /// The server's host key as `algorithm base64`.
    var hostKey: String { get }
    /// The private key (OpenSSH or PEM text) the connection authenticated with, when known.
    var authenticatedKeyText: String? { get }
    /// Runs `command` through the guest's shell and captures its output.
    func run(_ command: String) throws -> GuestCommandResult
    /// Runs `command` on a new channel of this connection, sends `stdin` then end-of-file, and hands
    /// output chunks to `output` as they arrive (nothing is accumulated). A non-zero exit is not an error.
    func execute(_ command: String, stdin: Data?, output: (GuestStream, Data) -> Void) throws -> GuestExit
    /// Closes the connection.
    func close()
}

extension GuestSession {
    /// Not known unless the session says.
    public var authenticatedKeyText: String? { nil }
}

/// Exit status and captured output of a guest command.
public typealias GuestCommandResult = CommandOutput

/// Which of a guest command's output streams a chunk came from.
public enum GuestStream: Sendable, Equatable {
    case stdout
    case stderr
}

/// How a guest command ended: its exit code, or the signal that killed it.
public typealias GuestExit = ExitStatus
