internal import CLibssh
import Foundation
import Logging

/// A connected, authenticated SSH session (libssh, in process).
///
/// The API is synchronous: every method blocks the calling thread on network I/O. From async code, call it
/// through ``SSHSession/offload(_:)`` (a Dispatch thread, not the cooperative pool) — ``waitUntilReady(_:timeout:pollInterval:authAttempts:logger:)``
/// and ``reconnect(timeout:)`` already do. A session serializes its own use with a lock, so it can be shared;
/// commands on one session run one after another, each on its own channel. Do not call back into the same
/// session from an output callback.
public final class SSHSession: @unchecked Sendable {
    /// How this session connected; ``reconnect(timeout:)`` reuses it with ``hostKey`` pinned.
    public let configuration: SSHConfiguration
    /// The host key the server presented (already checked against ``SSHConfiguration/hostKeyPin`` if one was set).
    public let hostKey: HostKey
    /// The key the server accepted; nil when it took ``SSHConfiguration/password``.
    public let authenticatedWith: SSHPrivateKey?

    let logger: Logger
    private let session: LibsshSession
    private let lock = NSRecursiveLock()
    /// Set after the first upload learns whether the server has an SFTP subsystem.
    var sftpAvailable: Bool?

    private init(
        session: LibsshSession, configuration: SSHConfiguration, hostKey: HostKey, key: SSHPrivateKey?, logger: Logger
    ) {
        self.session = session
        self.configuration = configuration
        self.hostKey = hostKey
        self.authenticatedWith = key
        self.logger = logger
    }

    /// Connects, checks the host key against the pin (before offering any key), and authenticates with the
    /// first accepted key. Blocks for up to about `configuration.timeout` per step.
    public static func connect(
        _ configuration: SSHConfiguration, logger: Logger = Logger(label: "vmfile.ssh")
    ) throws -> SSHSession {
        try connect(configuration, over: nil, logger: logger)
    }

    /// ``connect(_:logger:)`` over `socket`, a TCP connection to the configured endpoint that is already
    /// open (the session owns it from this call on), or over a new connection when nil.
    static func connect(_ configuration: SSHConfiguration, over socket: Int32?, logger: Logger) throws -> SSHSession {
        do {
            return try connect(configuration, requestPinnedKeyType: true, socket: socket, logger: logger)
        } catch let error as SSHError
            where configuration.hostKeyPin != nil && error.libsshError?.lowercased().contains("host key") == true
        {
            // The server has no key of the pinned type (a rebuilt machine with other host keys): connect
            // without asking for that type, so the mismatch is reported as such rather than as a kex error.
            // The first attempt used up `socket`: this one connects anew.
            return try connect(configuration, requestPinnedKeyType: false, socket: nil, logger: logger)
        }
    }

    private static func connect(
        _ config: SSHConfiguration, requestPinnedKeyType: Bool, socket: Int32?, logger: Logger
    ) throws -> SSHSession {
        let session: LibsshSession
        do {
            session = try LibsshSession()
        } catch {
            if let socket { Glibc.close(socket) }
            throw error
        }
        if let socket { try session.adopt(socket: socket) }
        guard !config.keys.isEmpty || config.password != nil else {
            throw SSHError(.invalidArgument, "no private keys or password to authenticate to \(config.subject) with",
                           host: config.host, port: config.port)
        }
        try configure(session, config, requestPinnedKeyType: requestPinnedKeyType)

        let started = ContinuousClock.now
        let rc = session.withRaw { ssh_connect($0) }
        guard rc == SSH_OK else {
            let text = session.lastError
            throw SSHError(
                classifyConnectError(text), "could not connect to \(config.subject): \(text)",
                host: config.host, port: config.port, libsshError: text
            )
        }
        // Processes vmfile starts later (qemu-img, ssh, …) must not inherit the connection.
        let fd = session.withRaw { ssh_get_fd($0) }
        if fd >= 0 { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        let hostKey = try serverHostKey(session, config)
        if let pin = config.hostKeyPin, pin != hostKey.pin {
            throw SSHError.hostKeyMismatch(
                expected: pin, actual: hostKey.pin, machine: config.machineName, host: config.host, port: config.port
            )
        }
        if let interval = config.keepaliveInterval {
            enableTCPKeepalive(session, idleSeconds: interval)
        }
        let key = try authenticate(session, config)
        logger.debug("ssh connected", metadata: [
            "endpoint": "\(config.endpoint)", "hostKey": "\(hostKey)", "key": "\(key?.label ?? "password")",
            "elapsed": "\(ContinuousClock.now - started)",
        ])
        return SSHSession(session: session, configuration: config, hostKey: hostKey, key: key, logger: logger)
    }

    /// Disconnects now; later calls throw ``SSHError/Code/notConnected``. Also happens on deinit.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        session.disconnect()
    }

    /// Whether the connection is still up as far as libssh knows.
    public var isConnected: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !session.isDisconnected && session.withRaw { ssh_is_connected($0) } != 0
    }

    /// Sends an SSH-level no-op (`SSH_MSG_IGNORE`), e.g. to keep NAT state alive or detect a dead peer early.
    public func sendKeepalive() throws {
        try withSession { session, raw in
            guard ssh_send_ignore(raw, "keepalive") == SSH_OK else {
                throw error(.notConnected, "could not send a keepalive to \(configuration.subject)", session)
            }
        }
    }

    /// Runs `body` on a Dispatch thread and resumes the caller with its result: keeps blocking libssh calls off
    /// Swift's cooperative thread pool.
    public static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    // MARK: - Internals shared with Exec/ and Transfer/

    /// Runs `body` with the session locked and the raw handle; throws if the session was closed.
    func withSession<T>(_ body: (LibsshSession, ssh_session) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !session.isDisconnected else {
            throw SSHError(.notConnected, "the SSH session to \(configuration.subject) was closed; reconnect first",
                           host: configuration.host, port: configuration.port)
        }
        return try session.withRaw { try body(session, $0) }
    }

    /// An error for this session's endpoint carrying libssh's current error text; call right after the failure.
    func error(_ code: SSHError.Code, _ message: String, _ session: LibsshSession) -> SSHError {
        let text = session.lastError
        return SSHError(code, text.isEmpty ? message : "\(message): \(text)", host: configuration.host,
                        port: configuration.port, libsshError: text)
    }

    // MARK: - Connect steps

    private static func configure(
        _ session: LibsshSession, _ config: SSHConfiguration, requestPinnedKeyType: Bool
    ) throws {
        guard (1...65535).contains(config.port) else {
            throw SSHError(.invalidArgument, "port \(config.port) for \(config.subject) is not in 1…65535",
                           host: config.host, port: config.port)
        }
        try session.setOption(SSH_OPTIONS_HOST, config.host, name: "host")
        try session.setOption(SSH_OPTIONS_PORT, UInt32(config.port), name: "port")
        try session.setOption(SSH_OPTIONS_USER, config.user, name: "user")
        let micros = Int(max(config.timeout, 0.001) * 1_000_000)
        try session.setOption(SSH_OPTIONS_TIMEOUT, micros / 1_000_000, name: "timeout")
        try session.setOption(SSH_OPTIONS_TIMEOUT_USEC, micros % 1_000_000, name: "timeout")
        // VMFILE_LIBSSH_LOG=1…4 turns on libssh's own log on stderr, for debugging protocol problems.
        let verbosity = ProcessInfo.processInfo.environment["VMFILE_LIBSSH_LOG"].flatMap { Int32($0) } ?? Int32(SSH_LOG_NOLOG)
        try session.setOption(SSH_OPTIONS_LOG_VERBOSITY, verbosity, name: "log verbosity")
        // Never read ~/.ssh/config or known_hosts: the configuration and pin are the whole truth.
        try session.setOption(SSH_OPTIONS_PROCESS_CONFIG, false, name: "process config")
        try session.setOption(SSH_OPTIONS_KNOWNHOSTS, "/dev/null", name: "known hosts file")
        try session.setOption(SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null", name: "global known hosts file")
        try session.setOption(SSH_OPTIONS_NODELAY, Int32(1), name: "TCP_NODELAY")
        if requestPinnedKeyType, let pin = config.hostKeyPin {
            // Ask for the pinned key's type so a server with several host keys presents the pinned one.
            try session.setOption(SSH_OPTIONS_HOSTKEYS, pin.hostKeyAlgorithms, name: "host key algorithms")
        }
    }

    private static func classifyConnectError(_ text: String) -> SSHError.Code {
        let lower = text.lowercased()
        if lower.contains("refused") { return .connectionRefused }
        if lower.contains("timeout") || lower.contains("timed out") { return .timeout }
        return .connectionFailed
    }

    private static func serverHostKey(_ session: LibsshSession, _ config: SSHConfiguration) throws -> HostKey {
        var key: ssh_key?
        let rc = session.withRaw { ssh_get_server_publickey($0, &key) }
        guard rc == SSH_OK, let key else {
            let text = session.lastError
            throw SSHError(.connectionFailed, "\(config.subject) presented no usable host key: \(text)",
                           host: config.host, port: config.port, libsshError: text)
        }
        return try HostKey(handle: SSHKeyHandle(adopting: key))
    }

    private static func enableTCPKeepalive(_ session: LibsshSession, idleSeconds: TimeInterval) {
        let fd = session.withRaw { ssh_get_fd($0) }
        guard fd >= 0 else { return }
        var on: Int32 = 1
        var idle = Int32(max(1, idleSeconds.rounded()))
        var interval = Int32(max(1, (idleSeconds / 3).rounded()))
        var count: Int32 = 3
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &interval, size)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &count, size)
    }

    /// Offers each key in order, then the password if there is one; returns the accepted key (nil: the password).
    private static func authenticate(_ session: LibsshSession, _ config: SSHConfiguration) throws -> SSHPrivateKey? {
        var rejected: [String] = []
        var unreadable: [String] = []
        for key in config.keys {
            let handle: SSHKeyHandle
            do {
                handle = try key.load()
            } catch let error as SSHError {
                unreadable.append(error.message)
                continue
            }
            let rc = session.withRaw { raw in handle.withKey { ssh_userauth_publickey(raw, nil, $0) } }
            switch rc {
            case SSH_AUTH_SUCCESS.rawValue:
                return key
            case SSH_AUTH_DENIED.rawValue, SSH_AUTH_PARTIAL.rawValue:
                rejected.append("\(key.label) (\(handle.algorithm))")
            default:
                throw brokeOff(session, config, while: "offering \(key.label)")
            }
        }
        var passwordRejected = false
        if let password = config.password {
            switch session.withRaw({ ssh_userauth_password($0, nil, password) }) {
            case SSH_AUTH_SUCCESS.rawValue:
                return nil
            case SSH_AUTH_DENIED.rawValue, SSH_AUTH_PARTIAL.rawValue:
                passwordRejected = true
            default:
                throw brokeOff(session, config, while: "sending the password")
            }
        }
        if rejected.isEmpty && !passwordRejected {
            throw SSHError(.invalidKey, "none of the keys for \(config.subject) could be read: "
                           + unreadable.joined(separator: "; "), host: config.host, port: config.port)
        }
        var refusals: [String] = []
        var checks: [String] = []
        if !rejected.isEmpty {
            refusals.append("every key offered: " + rejected.joined(separator: ", "))
            checks.append("the guest's ~\(config.user)/.ssh/authorized_keys holds one of their public keys")
        }
        if passwordRejected {
            refusals.append("the password")
            checks.append("the password is \(config.user)'s and the server takes passwords (sshd: PasswordAuthentication yes; dropbear: no -s)")
        }
        var message = "\(config.subject) rejected " + refusals.joined(separator: " and ")
        if !unreadable.isEmpty { message += "; unreadable: " + unreadable.joined(separator: "; ") }
        message += ". Check that " + checks.joined(separator: ", and that ")
        throw SSHError(.authenticationFailed, message, host: config.host, port: config.port)
    }

    private static func brokeOff(_ session: LibsshSession, _ config: SSHConfiguration, while doing: String) -> SSHError {
        let text = session.lastError
        return SSHError(.authenticationFailed, "authentication to \(config.subject) broke off while \(doing): \(text)",
                        host: config.host, port: config.port, libsshError: text)
    }
}
