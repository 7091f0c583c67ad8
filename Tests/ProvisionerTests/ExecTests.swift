import Foundation
import Provisioner
import Testing

extension LoopbackServerTests {
    @Suite("SSH against a real sshd on loopback", .serialized, .enabled(if: SSHDServer.shouldRun(.openssh)))
    struct ExecTests {
        let keys: SSHKeyPair

        init() throws {
            keys = try SSHKeyPair.generateEd25519(comment: "vmfile-test")
        }

        func configuration(_ server: SSHDServer, keys: [SSHPrivateKey]? = nil, pin: HostKeyPin? = nil) -> SSHConfiguration {
            SSHConfiguration(host: "127.0.0.1", port: server.port, user: server.user,
                             keys: keys ?? [self.keys.privateKey(label: "test key")], hostKeyPin: pin, timeout: 5)
        }

        @Test func connectsWithGeneratedEd25519KeyAndReportsHostKey() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                let pin = try server.hostKeyPin()
                #expect(session.hostKey.pin == pin)
                #expect(session.hostKey.algorithm == "ssh-ed25519")
                #expect(session.hostKey.fingerprintSHA256.hasPrefix("SHA256:"))
                let expected = try runTool("/usr/bin/ssh-keygen", ["-l", "-f", server.hostKeyPath.path + ".pub"])
                #expect(expected.contains(session.hostKey.fingerprintSHA256))
                let result = try session.run("echo hello")
                #expect(result.status == ExitStatus(code: 0))
                #expect(result.stdoutText == "hello\n")
            }
        }

        @Test(arguments: ["vagrant.key.ed25519", "vagrant.key.rsa"])
        func vagrantInsecureKeysAuthenticate(keyFile: String) async throws {
            let pubFile = keyFile.replacingOccurrences(of: ".key.", with: ".pub.")
            let pub = try String(contentsOf: vagrantKeysDirectory.appendingPathComponent(pubFile), encoding: .utf8)
            try await withServer(authorizedKeys: [pub.trimmingCharacters(in: .whitespacesAndNewlines)]) { server in
                // Both insecure keys offered in order, as at first contact; only one is authorized.
                let session = try SSHSession.connect(configuration(server, keys: SSHPrivateKey.vagrantInsecure))
                #expect(session.authenticatedWith?.label.contains(keyFile.hasSuffix("rsa") ? "RSA" : "ed25519") == true)
                // The compiled-in literal equals the repository file.
                let file = try String(contentsOf: vagrantKeysDirectory.appendingPathComponent(keyFile), encoding: .utf8)
                let literal = keyFile.hasSuffix("rsa") ? VagrantInsecureKey.rsa : VagrantInsecureKey.ed25519
                #expect(literal == file)
                // And the key file itself works through the file API.
                let fromFile = try SSHSession.connect(configuration(
                    server, keys: [.file(vagrantKeysDirectory.appendingPathComponent(keyFile).path)]))
                #expect(try fromFile.run("true").status.succeeded)
            }
        }

        @Test func rsaHostKeyIsReportedAndPinned() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine], hostKeyType: "rsa") { server in
                let pin = try server.hostKeyPin()
                let session = try SSHSession.connect(configuration(server, pin: pin))
                #expect(session.hostKey.algorithm == "ssh-rsa")
                #expect(session.hostKey.pin == pin)
            }
        }

        @Test func pinOfAnotherKeyTypeIsAMismatchNotAKexError() async throws {
            let otherTypePin = try HostKeyPin(openSSHLine: SSHKeyPair.generateEd25519().publicKeyLine)
            try await withServer(authorizedKeys: [keys.publicKeyLine], hostKeyType: "rsa") { server in
                let error = try #require(throws: SSHError.self) {
                    try SSHSession.connect(configuration(server, pin: otherTypePin))
                }
                #expect(error.code == .hostKeyMismatch)
                #expect(error.message.contains("ssh-rsa"))
            }
        }

        @Test func wrongKeyFailsClearly() async throws {
            let other = try SSHKeyPair.generateEd25519(comment: "not authorized")
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let error = try #require(throws: SSHError.self) {
                    try SSHSession.connect(configuration(server, keys: [other.privateKey(label: "other key")]))
                }
                #expect(error.code == .authenticationFailed)
                #expect(error.message.contains("other key"))
                #expect(error.message.contains("authorized_keys"))
            }
        }

        /// A Boxfile's `ssh.password`: offered after the keys. This sshd takes no passwords, so the password
        /// is refused and said to be; a key it takes is used before the password is ever sent.
        @Test func aPasswordIsOfferedAfterTheKeysAndItsRefusalSaysWhy() async throws {
            let other = try SSHKeyPair.generateEd25519(comment: "not authorized")
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                var alone = configuration(server, keys: [])
                alone.password = "vagrant"
                let refused = try #require(throws: SSHError.self) { try SSHSession.connect(alone) }
                #expect(refused.code == .authenticationFailed)
                #expect(refused.message.contains("rejected the password") && refused.message.contains("PasswordAuthentication yes"), "\(refused.message)")

                var both = configuration(server, keys: [other.privateKey(label: "other key")])
                both.password = "vagrant"
                let error = try #require(throws: SSHError.self) { try SSHSession.connect(both) }
                #expect(error.message.contains("every key offered: other key") && error.message.contains("and the password"), "\(error.message)")

                var good = configuration(server)
                good.password = "vagrant"
                let session = try SSHSession.connect(good)
                defer { session.close() }
                #expect(session.authenticatedWith != nil, "the key, not the password")
            }
        }

        @Test func missingKeyFileNamesThePath() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let error = try #require(throws: SSHError.self) {
                    try SSHSession.connect(configuration(server, keys: [.file("/nonexistent/id_ed25519")]))
                }
                #expect(error.code == .invalidKey)
                #expect(error.message.contains("/nonexistent/id_ed25519"))
            }
        }

        @Test func hostKeyPinMatchesAndThenMismatchesAfterRebuild() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let first = try SSHSession.connect(configuration(server))
                let pin = first.hostKey.pin
                first.close()
                #expect(try SSHSession.connect(configuration(server, pin: pin)).hostKey.pin == pin)

                try server.newHostKey()
                var config = configuration(server, pin: pin)
                config.machineName = "web"
                let error = try #require(throws: SSHError.self) { try SSHSession.connect(config) }
                #expect(error.code == .hostKeyMismatch)
                #expect(error.message.contains("machine web's host key changed"))
                #expect(error.message.contains("vmfile destroy web"))
                #expect(error.message.contains(".vmfile/machines/web/host_key"))
            }
        }

        @Test func exitCodesAndSignals() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                #expect(try session.run("true").status == ExitStatus(code: 0))
                #expect(try session.run("false").status == ExitStatus(code: 1))
                #expect(try session.run("exit 42").status == ExitStatus(code: 42))
                let killed = try session.run("kill -9 $$").status
                #expect(killed.signal == "KILL")
                #expect(killed.code == 137)
                #expect(!killed.succeeded)
            }
        }

        @Test func commandThatClosesItsOutputStillReportsItsStatus() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                var config = configuration(server)
                config.timeout = 0.5  // shorter than the command runs after closing its output
                let session = try SSHSession.connect(config)
                let result = try session.run("echo before; exec >/dev/null 2>&1 </dev/null; sleep 1.5; exit 7")
                #expect(result.stdoutText == "before\n")
                #expect(result.status == ExitStatus(code: 7))
            }
        }

        @Test func stdoutAndStderrAreSeparate() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                let result = try session.run("echo out; echo err >&2; echo out2; exit 3")
                #expect(result.stdoutText == "out\nout2\n")
                #expect(result.stderrText == "err\n")
                #expect(result.status.code == 3)
            }
        }

        @Test func environmentRoundTripsExactly() async throws {
            let values = [
                "plain", "with space", "dollar $HOME and $(id)", "single ' quote", "double \" quote", "semi; echo pwned",
                "new\nline", "tab\there", "back\\slash", "ünïcødé ✓ 日本", "", "'", "''", "`id`", "*", "-n",
            ]
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                for value in values {
                    let result = try session.run(#"printf '%s' "$VAR""#, environment: ["VAR": value])
                    #expect(result.stdoutText == value, "value \(value.debugDescription)")
                    // The same quoting works for arguments.
                    let echoed = try session.run("printf '%s' \(ShellQuote.quote(value))")
                    #expect(echoed.stdoutText == value)
                }
                let several = try session.run(#"printf '%s|%s' "$A" "$B_2""#, environment: ["A": "1", "B_2": "x y"])
                #expect(several.stdoutText == "1|x y")
                #expect(throws: SSHError.self) { try session.run("true", environment: ["BAD-NAME": "x"]) }
            }
        }

        @Test func stdinIsPiped() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                #expect(try session.run("cat").stdoutText == "")
                let input = Data("line one\nline two\n".utf8)
                #expect(try session.run("cat", stdin: input).stdout == input)
                var big = Data(count: 3 * 1024 * 1024 + 17)
                for index in stride(from: 0, to: big.count, by: 4096) { big[index] = UInt8(truncatingIfNeeded: index / 4096) }
                let counted = try session.run("wc -c", stdin: big)
                #expect(counted.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "\(big.count)")
            }
        }

        @Test func closedSessionSaysSo() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                #expect(session.isConnected)
                session.close()
                #expect(!session.isConnected)
                let error = try #require(throws: SSHError.self) { try session.run("true") }
                #expect(error.code == .notConnected)
            }
        }

        @Test func manyCommandsOverOneConnection() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                for index in 0..<50 {
                    #expect(try session.run("echo \(index)").stdoutText == "\(index)\n")
                }
            }
        }
    }
}
