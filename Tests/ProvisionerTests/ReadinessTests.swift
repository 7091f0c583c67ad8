import Foundation
import Provisioner
import Testing

extension LoopbackServerTests {
    @Suite("Readiness and reconnect against a real sshd", .serialized, .enabled(if: SSHDServer.shouldRun(.openssh)))
    struct ReadinessTests {
        let keys: SSHKeyPair

        init() throws {
            keys = try SSHKeyPair.generateEd25519(comment: "vmfile-test")
        }

        func configuration(_ server: SSHDServer, keys: [SSHPrivateKey]? = nil) -> SSHConfiguration {
            SSHConfiguration(host: "127.0.0.1", port: server.port, user: server.user,
                             keys: keys ?? [self.keys.privateKey(label: "test key")], machineName: "web", timeout: 5)
        }

        @Test func reactsQuicklyWhenSSHDStartsLater() async throws {
            let server = try SSHDServer.start(authorizedKeys: [keys.publicKeyLine], listen: false)
            defer { server.stop() }
            let clock = ContinuousClock()
            let start = clock.now
            let listening = Task.detached { () throws -> ContinuousClock.Instant in
                try await Task.sleep(for: .seconds(1))
                try server.launch()
                return ContinuousClock.now
            }
            let (session, hostKey) = try await SSHSession.waitUntilReady(configuration(server), timeout: 20)
            let ready = clock.now
            let listenedAt = try await listening.value
            #expect(hostKey == session.hostKey)
            #expect(try session.run("echo ready").stdoutText == "ready\n")
            // launch() returns within ~10 ms of the port accepting; reaction = probe interval + handshake + auth.
            print("readiness: waited \(ready - start) total; reaction after sshd listened: \(ready - listenedAt)")
        }

        @Test func timeoutSaysWhatWasTriedLast() async throws {
            let server = try SSHDServer.start(authorizedKeys: [keys.publicKeyLine], listen: false)
            defer { server.stop() }
            let error = try await #require(throws: SSHError.self) {
                try await SSHSession.waitUntilReady(self.configuration(server), timeout: 0.5)
            }
            #expect(error.code == .timeout)
            #expect(error.message.contains("refused"))
            #expect(error.message.contains("machine web"))
        }

        @Test func cancellationStopsTheWaitPromptly() async throws {
            let server = try SSHDServer.start(authorizedKeys: [keys.publicKeyLine], listen: false)
            defer { server.stop() }
            let config = configuration(server)
            let clock = ContinuousClock()
            let waiting = Task { try await SSHSession.waitUntilReady(config, timeout: 30) }
            try await Task.sleep(for: .milliseconds(300))
            let cancelledAt = clock.now
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(clock.now - cancelledAt < .seconds(2))
        }

        @Test func directConnectToAClosedPortIsRefused() async throws {
            let server = try SSHDServer.start(authorizedKeys: [keys.publicKeyLine], listen: false)
            defer { server.stop() }
            let error = try #require(throws: SSHError.self) { try SSHSession.connect(configuration(server)) }
            #expect(error.code == .connectionRefused)
            #expect(error.message.contains("127.0.0.1:\(server.port)"))
        }

        @Test func rejectedKeysFailFastWithAFewRetries() async throws {
            let other = try SSHKeyPair.generateEd25519(comment: "not authorized")
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let clock = ContinuousClock()
                let start = clock.now
                let error = try await #require(throws: SSHError.self) {
                    try await SSHSession.waitUntilReady(
                        self.configuration(server, keys: [other.privateKey(label: "other key")]), timeout: 60,
                        authAttempts: 3
                    )
                }
                #expect(error.code == .authenticationFailed)
                #expect(error.message.contains("tried 3 times"))
                #expect(clock.now - start < .seconds(10))
            }
        }

        @Test func reconnectAfterRestartEnforcesThePinnedHostKey() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let (session, hostKey) = try await SSHSession.waitUntilReady(configuration(server), timeout: 10)
                // A "reboot": same host key, server gone for a moment.
                server.stopProcess()
                let restart = Task.detached {
                    try await Task.sleep(for: .milliseconds(500))
                    try server.launch()
                }
                let again = try await session.reconnect(timeout: 10)
                try await restart.value
                #expect(again.hostKey == hostKey)
                #expect(try again.run("true").status.succeeded)
                #expect(throws: SSHError.self) { try session.run("true") }

                // A rebuilt machine: new host key → mismatch, immediately, not after the timeout.
                try server.newHostKey()
                let error = try await #require(throws: SSHError.self) { try await again.reconnect(timeout: 10) }
                #expect(error.code == .hostKeyMismatch)
                #expect(error.message.contains("vmfile destroy web"))
            }
        }
    }
}
