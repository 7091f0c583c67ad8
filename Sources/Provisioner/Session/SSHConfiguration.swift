import Foundation

/// Where and how to connect: endpoint, user, keys to try in order, and the host key to insist on.
public struct SSHConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    /// Keys offered in order until one is accepted (first contact: ``SSHPrivateKey/vagrantInsecure``).
    public var keys: [SSHPrivateKey]
    /// Tried once no key was accepted, or alone when `keys` is empty: password authentication (OpenSSH's
    /// `PasswordAuthentication`), for installers whose answer file sets a password and no key.
    public var password: String?
    /// The host key the server must present; `nil` accepts any key (first contact) — pin ``SSHSession/hostKey``.
    public var hostKeyPin: HostKeyPin?
    /// Names the machine in error messages (`machine web's host key changed; …`).
    public var machineName: String?
    /// Seconds for the TCP connect and each blocking libssh step (handshake, auth, channel setup).
    public var timeout: TimeInterval
    /// Seconds of idle time before TCP keepalive probes start; `nil` disables them.
    ///
    /// libssh 0.10 has no SSH-level keepalive timer (no `ServerAliveInterval`), so vmfile enables TCP keepalive
    /// on the session socket; ``SSHSession/sendKeepalive()`` sends an SSH-level `SSH_MSG_IGNORE` on demand.
    public var keepaliveInterval: TimeInterval?

    public init(
        host: String, port: Int = 22, user: String, keys: [SSHPrivateKey], password: String? = nil, hostKeyPin: HostKeyPin? = nil,
        machineName: String? = nil, timeout: TimeInterval = 10, keepaliveInterval: TimeInterval? = 30
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.keys = keys
        self.password = password
        self.hostKeyPin = hostKeyPin
        self.machineName = machineName
        self.timeout = timeout
        self.keepaliveInterval = keepaliveInterval
    }

    /// `user@host:port`, for messages.
    var endpoint: String { "\(user)@\(host):\(port)" }

    /// `machine web (root@10.0.0.2:22)` or `root@10.0.0.2:22`, for messages.
    var subject: String { machineName.map { "machine \($0) (\(endpoint))" } ?? endpoint }
}
