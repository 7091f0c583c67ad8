import HostSupport

/// The one error type of the SSH client: what failed (``code``), a message that says where and what to do,
/// the endpoint involved, and libssh's own error text when libssh reported the failure.
public struct SSHError: Error, Sendable, CustomStringConvertible {
    /// An extensible classification of SSH failures; match on it, don't parse messages.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Nothing listens on the port (TCP RST).
        public static let connectionRefused = Code(rawValue: "connectionRefused")
        /// TCP connect, SSH handshake or key exchange failed or was cut off.
        public static let connectionFailed = Code(rawValue: "connectionFailed")
        /// A deadline passed (connect, readiness wait).
        public static let timeout = Code(rawValue: "timeout")
        /// The server presented a host key other than the pinned one.
        public static let hostKeyMismatch = Code(rawValue: "hostKeyMismatch")
        /// The server rejected every key offered.
        public static let authenticationFailed = Code(rawValue: "authenticationFailed")
        /// A private key could not be read, parsed, generated or exported.
        public static let invalidKey = Code(rawValue: "invalidKey")
        /// A caller-supplied value is unusable (e.g. an environment variable name).
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// Opening a channel or starting a command failed.
        public static let channelFailed = Code(rawValue: "channelFailed")
        /// The connection broke while a command ran, or it ended without an exit status.
        public static let execFailed = Code(rawValue: "execFailed")
        /// A command that had to succeed exited non-zero (``SSHSession/runChecked(_:environment:stdin:)``).
        public static let commandFailed = Code(rawValue: "commandFailed")
        /// An upload failed.
        public static let transferFailed = Code(rawValue: "transferFailed")
        /// The session was closed by ``SSHSession/close()`` or the peer.
        public static let notConnected = Code(rawValue: "notConnected")
        /// A local file operation failed.
        public static let localIO = Code(rawValue: "localIO")
    }

    public let code: Code
    /// A sentence or two: what failed, where, what to do next.
    public let message: String
    public let host: String?
    public let port: Int?
    /// `ssh_get_error` text, read in the same call that failed.
    public let libsshError: String?

    public init(_ code: Code, _ message: String, host: String? = nil, port: Int? = nil, libsshError: String? = nil) {
        self.code = code
        self.message = message
        self.host = host
        self.port = port
        self.libsshError = libsshError.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String {
        var text = message
        if let libsshError, !message.contains(libsshError) {
            text += " (libssh: \(libsshError))"
        }
        return text
    }

    /// The server at `host:port` presented `actual` where `expected` was pinned.
    ///
    /// `machine` names the machine in the message so the user knows which state to reset.
    public static func hostKeyMismatch(
        expected: HostKeyPin, actual: HostKeyPin, machine: String? = nil, host: String? = nil, port: Int? = nil
    ) -> SSHError {
        let endpoint = host.map { h in port.map { "\(h):\($0)" } ?? h } ?? "the server"
        let what: String
        let todo: String
        if let machine {
            what = "machine \(machine)'s host key changed"
            todo = "if you rebuilt it, run `vmfile destroy \(machine)` or remove .vmfile/machines/\(machine)/host_key"
        } else {
            what = "the host key of \(endpoint) changed"
            todo = "if the server was rebuilt, remove its pinned host key"
        }
        return SSHError(
            .hostKeyMismatch,
            "\(what) (\(endpoint) presented \(actual.algorithm) \(actual.fingerprintSHA256), "
                + "pinned \(expected.algorithm) \(expected.fingerprintSHA256)); \(todo)",
            host: host, port: port
        )
    }
}

extension SSHError: VmfileError {
    public var codeName: String { code.rawValue }
    /// SSH errors carry their advice in `message`.
    public var hint: String? { nil }
    public var cause: (any Error)? { nil }
}
