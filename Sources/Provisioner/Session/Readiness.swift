import Foundation
import Logging

extension SSHSession {
    /// Waits until the server accepts SSH and one of `configuration.keys`, then returns the session and the
    /// host key it presented (pin it on first contact).
    ///
    /// Every `pollInterval` a cheap TCP probe checks the port, so sshd is found within about `pollInterval`
    /// of it listening; then the handshake and authentication run. Refused, reset or half-started servers are
    /// retried until `timeout`. A host key mismatch or an unreadable key fails at once. Rejected keys are retried
    /// `authAttempts` times a second apart (a box may accept connections before its keys are installed), then
    /// fail with the server's answer. On timeout the error says what the last attempt saw.
    ///
    /// libssh calls run on Dispatch threads, not on the caller's cooperative thread. Honors task cancellation.
    public static func waitUntilReady(
        _ configuration: SSHConfiguration, timeout: TimeInterval, pollInterval: TimeInterval = 0.1,
        authAttempts: Int = 5, logger: Logger = Logger(label: "vmfile.ssh")
    ) async throws -> (SSHSession, HostKey) {
        let config = configuration
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

        while true {
            try Task.checkCancellation()
            let probeTimeout = min(1.0, max(remaining(), 0.05))
            let probe = try await offload { TCPProbe.probe(host: config.host, port: config.port, timeout: probeTimeout) }
            var pause = interval
            if probe == .open {
                var attemptConfig = config
                attemptConfig.timeout = min(config.timeout, max(remaining(), 1))
                let attempt = attemptConfig
                do {
                    let session = try await offload { try SSHSession.connect(attempt, logger: logger) }
                    logger.debug("ssh ready", metadata: [
                        "endpoint": "\(config.endpoint)", "waited": "\(clock.now - start)",
                    ])
                    return (session, session.hostKey)
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
            if pause > .zero { try await Task.sleep(for: pause) }
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
        config.keys = [authenticatedWith] + config.keys.filter { $0 != authenticatedWith }
        let (session, _) = try await Self.waitUntilReady(config, timeout: timeout, pollInterval: pollInterval,
                                                         logger: logger)
        return session
    }
}
