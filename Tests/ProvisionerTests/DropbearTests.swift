import Foundation
import Provisioner
import Testing

extension LoopbackServerTests {
    /// The tiny test box runs dropbear: the client must work against it as well as against OpenSSH.
    @Suite("SSH against a real dropbear on loopback", .serialized, .enabled(if: SSHDServer.shouldRun(.dropbear)))
    struct DropbearTests {
        let keys: SSHKeyPair

        init() throws {
            keys = try SSHKeyPair.generateEd25519(comment: "vmfile-test")
        }

        func configuration(_ server: SSHDServer, keys: [SSHPrivateKey]? = nil, pin: HostKeyPin? = nil) -> SSHConfiguration {
            SSHConfiguration(host: "127.0.0.1", port: server.port, user: server.user,
                             keys: keys ?? [self.keys.privateKey(label: "test key")], hostKeyPin: pin, timeout: 5)
        }

        @Test(arguments: ["ed25519", "rsa"])
        func connectPinAndExec(hostKeyType: String) async throws {
            try await withServer(.dropbear, authorizedKeys: [keys.publicKeyLine], hostKeyType: hostKeyType) { server in
                let pin = try server.hostKeyPin()
                let session = try SSHSession.connect(configuration(server, pin: pin))
                #expect(session.hostKey.pin == pin)
                #expect(try session.run("true").status == ExitStatus(code: 0))
                #expect(try session.run("exit 42").status == ExitStatus(code: 42))
                #expect(try session.run("kill -9 $$").status.signal == "KILL")
                let result = try session.run("echo out; echo err >&2")
                #expect(result.stdoutText == "out\n")
                #expect(result.stderrText == "err\n")
                let value = "a 'b' $c; \"d\"\nü"
                #expect(try session.run(#"printf '%s' "$V""#, environment: ["V": value]).stdoutText == value)
                #expect(try session.run("cat", stdin: Data("piped".utf8)).stdoutText == "piped")
            }
        }

        @Test func readinessRunsTheSessionOnTheConnectionItsProbeOpened() async throws {
            try await withServer(.dropbear, authorizedKeys: [keys.publicKeyLine]) { server in
                func accepted() -> Int { server.log.components(separatedBy: "Child connection from").count - 1 }
                // The fixture's own check that the port listens is a connection too: let it be logged first.
                let settled = Date().addingTimeInterval(5)
                while !server.log.contains("Exit before auth"), Date() < settled { usleep(10_000) }
                let before = accepted()
                let (session, _) = try await SSHSession.waitUntilReady(configuration(server), timeout: 10)
                #expect(try session.run("true").status == ExitStatus(code: 0))
                // A guest's sshd forks for every connection it accepts; the probe's is the session's.
                #expect(accepted() - before == 1, "server log:\n\(server.log)")
            }
        }

        @Test func vagrantRSAKeyAuthenticates() async throws {
            let pub = try String(contentsOf: vagrantKeysDirectory.appendingPathComponent("vagrant.pub.rsa"), encoding: .utf8)
            try await withServer(.dropbear, authorizedKeys: [pub.trimmingCharacters(in: .whitespacesAndNewlines)]) { server in
                let session = try SSHSession.connect(configuration(server, keys: SSHPrivateKey.vagrantInsecure))
                #expect(session.authenticatedWith?.label.contains("RSA") == true)
            }
        }

        @Test(arguments: [TransferMethod.automatic, .shell])
        func upload(method: TransferMethod) async throws {
            try await withServer(.dropbear, authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try SSHSession.connect(configuration(server))
                let payload = Data((0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) })
                let remote = server.home.appendingPathComponent("payload").path
                try session.upload(data: payload, to: remote, mode: 0o700, method: method)
                #expect(try session.run("cat \(ShellQuote.quote(remote))").stdout == payload)
                #expect(try session.run("stat -c %a \(ShellQuote.quote(remote))").stdoutText == "700\n")
            }
        }

        @Test func hostKeyMismatchAfterRebuild() async throws {
            try await withServer(.dropbear, authorizedKeys: [keys.publicKeyLine]) { server in
                let pin = try SSHSession.connect(configuration(server)).hostKey.pin
                try server.newHostKey()
                let error = try #require(throws: SSHError.self) { try SSHSession.connect(configuration(server, pin: pin)) }
                #expect(error.code == .hostKeyMismatch)
            }
        }
    }
}

extension LoopbackServerTests.DropbearTests {
    /// First contact as Vagrant does it: insecure key in, per-machine key installed, insecure key gone.
    @Test(arguments: [SSHDServer.Kind.dropbear, .openssh])
    func replaceInsecureKeyWithMachineKey(kind: SSHDServer.Kind) async throws {
        let pub = try String(contentsOf: vagrantKeysDirectory.appendingPathComponent("vagrant.pub.ed25519"), encoding: .utf8)
        let machineKey = try SSHKeyPair.generateEd25519(comment: "vmfile machine web")
        try await withServer(kind, authorizedKeys: ["# a comment line the user had", pub.trimmingCharacters(in: .newlines)]) { server in
            let first = try SSHSession.connect(configuration(server, keys: SSHPrivateKey.vagrantInsecure))
            try first.installAuthorizedKey(machineKey.publicKeyLine)
            try first.installAuthorizedKey(machineKey.publicKeyLine)  // idempotent
            let file = try first.runChecked("cat ~/.ssh/authorized_keys; stat -c %a ~/.ssh/authorized_keys").stdoutText
            #expect(file == "# a comment line the user had\n\(machineKey.publicKeyLine)\n600\n")
            first.close()
            let second = try SSHSession.connect(configuration(server, keys: [machineKey.privateKey(label: "machine key")]))
            #expect(try second.run("true").status.succeeded)
            let error = try #require(throws: SSHError.self) {
                try SSHSession.connect(configuration(server, keys: SSHPrivateKey.vagrantInsecure))
            }
            #expect(error.code == .authenticationFailed)
            let failed = try #require(throws: SSHError.self) { try second.runChecked("echo oops >&2; exit 3") }
            #expect(failed.code == .commandFailed)
            #expect(failed.message.contains("exit status 3"))
            #expect(failed.message.contains("oops"))
        }
    }
}
