import Foundation
import Logging

extension SSHSession {
    /// Waits until the server accepts SSH and one of `configuration.keys`, then returns the session and the
    /// host key it presented (pin it on first contact).
    ///
    /// Every `pollInterval` (or `probeTimeout` while SYNs go unanswered) a cheap TCP probe checks the port, so
    /// sshd is found within about that long of it listening; then the handshake and authentication run on the
    /// connection the probe opened.
    /// Refused, reset or half-started servers are retried until `timeout`. A host key mismatch or an unreadable key fails at once. Rejected keys are retried
    /// `authAttempts` times a second apart (a box may accept connections before its keys are installed), then
    /// fail with the server's answer. On timeout the error says what the last attempt saw.
    ///
    /// The loop and its libssh calls run on a Dispatch thread, not on the caller's cooperative thread.
    /// Honors task cancellation within ~50 ms (or one connect attempt).
    public static func waitUntilReady(
        _ configuration: SSHConfiguration, timeout: TimeInterval, pollInterval: TimeInterval = 0.1,
        authAttempts: Int = 5, logger: Logger = Logger(label: "vmfile.ssh")
    ) async throws -> (SSHSession, HostKey) {
        // The whole poll loop runs on one Dispatch thread: its reaction time does not depend on a free thread
        // in the cooperative pool (busy with other machines' blocking work on small hosts).
        let cancelled = CancellationFlag()
        let session = try await withTaskCancellationHandler {
            try await offload {
                try waitUntilReadyBlocking(configuration, timeout: timeout, pollInterval: pollInterval,
                                           authAttempts: authAttempts, logger: logger, cancelled: cancelled)
            }
        } onCancel: {
            cancelled.set()
        }
        return (session, session.hostKey)
    }

    /// How long one TCP probe waits for an answer before another SYN goes out (see ``TCPProbe``).
    static let probeTimeout: TimeInterval = 0.25

    /// ``waitUntilReady(_:timeout:pollInterval:authAttempts:logger:)`` for callers that are threads (the
    /// lifecycle's per-machine threads, the builder): it blocks the calling thread, so never call it from
    /// the cooperative pool.
    public static func waitUntilReadyBlocking(
        _ configuration: SSHConfiguration, timeout: TimeInterval, pollInterval: TimeInterval = 0.1,
        authAttempts: Int = 5, logger: Logger = Logger(label: "vmfile.ssh")
    ) throws -> SSHSession {
        try waitUntilReadyBlocking(configuration, timeout: timeout, pollInterval: pollInterval, authAttempts: authAttempts,
                                   logger: logger, cancelled: CancellationFlag())
    }

    static func waitUntilReadyBlocking(
        _ config: SSHConfiguration, timeout: TimeInterval, pollInterval: TimeInterval, authAttempts: Int,
        logger: Logger, cancelled: CancellationFlag
    ) throws -> SSHSession {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int(timeout * 1000))
        let interval = Duration.milliseconds(Int(max(pollInterval, 0.01) * 1000))
        var lastAttempt = "nothing tried yet"
        var authFailures = 0

        func remaining() -> TimeInterval {
            let left = (deadline - clock.now).components
            return Double(left.seconds) + Double(left.attoseconds) / 1e18
        }

        let prober = TCPProbe(host: config.host, port: config.port)
        while true {
            if cancelled.isSet { throw CancellationError() }
            let probe = prober.probe(timeout: min(Self.probeTimeout, max(remaining(), 0.05)))
            var pause = interval
            if probe == .open {
                var attempt = config
                attempt.timeout = min(config.timeout, max(remaining(), 1))
                do {
                    // The handshake runs on the probe's connection: the guest's sshd already accepted it.
                    let session = try SSHSession.connect(attempt, over: prober.takeConnectedSocket(), logger: logger)
                    logger.debug("ssh ready", metadata: [
                        "endpoint": "\(config.endpoint)", "waited": "\(clock.now - start)",
                    ])
                    return session
                } catch let error as SSHError {
                    switch error.code {
                    case .hostKeyMismatch, .invalidKey, .invalidArgument:
                        throw error
                    case .authenticationFailed:
                        authFailures += 1
                        if authFailures >= authAttempts {
                            throw SSHError(
                                .authenticationFailed, error.message + " (tried \(authFailures) times)",
                                host: config.host, port: config.port, libsshError: error.libsshError
                            )
                        }
                        lastAttempt = error.message
                        pause = .seconds(1)
                    default:
                        lastAttempt = error.description
                    }
                }
            } else {
                lastAttempt = probe.summary
                // A timed-out probe already waited; probe again right away.
                if probe == .timedOut { pause = .zero }
            }
            if clock.now + pause >= deadline {
                throw SSHError(
                    .timeout,
                    "SSH on \(config.subject) was not ready after \(Int(timeout.rounded())) s; last attempt: \(lastAttempt). "
                        + "Check that the machine booted and runs sshd (`vmfile status`, the console log)",
                    host: config.host, port: config.port
                )
            }
            // Sleep in short slices so cancellation is noticed quickly.
            let wakeUp = clock.now + pause
            while clock.now < wakeUp {
                if cancelled.isSet { throw CancellationError() }
                let slice = min(wakeUp - clock.now, .milliseconds(50)).components
                usleep(useconds_t(slice.seconds * 1_000_000 + slice.attoseconds / 1_000_000_000_000))
            }
        }
    }

    /// ``waitUntilReady(_:timeout:pollInterval:authAttempts:logger:)`` with the endpoint spelled out.
    public static func waitUntilReady(
        host: String, port: Int = 22, user: String, keys: [SSHPrivateKey], hostKeyPin: HostKeyPin? = nil,
        machineName: String? = nil, timeout: TimeInterval, pollInterval: TimeInterval = 0.1
    ) async throws -> (SSHSession, HostKey) {
        try await waitUntilReady(
            SSHConfiguration(host: host, port: port, user: user, keys: keys, hostKeyPin: hostKeyPin,
                             machineName: machineName),
            timeout: timeout, pollInterval: pollInterval
        )
    }

    /// Closes this session and waits for the server to accept SSH again — e.g. after the guest rebooted —
    /// insisting on the host key this session saw. Returns the new session; this one stays closed.
    ///
    /// Call it after the old server went away (e.g. once a `reboot` command returned or the connection
    /// dropped), or the wait may reconnect to the server that is about to shut down.
    public func reconnect(timeout: TimeInterval, pollInterval: TimeInterval = 0.1) async throws -> SSHSession {
        close()
        var config = configuration
        config.hostKeyPin = hostKey.pin
        // Put the key that worked first; a reboot doesn't change authorized_keys.
        if let key = authenticatedWith { config.keys = [key] + config.keys.filter { $0 != key } }
        let (session, _) = try await Self.waitUntilReady(config, timeout: timeout, pollInterval: pollInterval,
                                                         logger: logger)
        return session
    }
}

/// A thread-safe one-way flag for cancelling blocking loops.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}
