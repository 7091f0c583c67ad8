import Foundation
import Provisioner
import Testing

extension LoopbackServerTests {
    @Suite("Uploads to a real sshd", .serialized, .enabled(if: SSHDServer.shouldRun(.openssh)))
    struct TransferTests {
        let keys: SSHKeyPair

        init() throws {
            keys = try SSHKeyPair.generateEd25519(comment: "vmfile-test")
        }

        func connect(_ server: SSHDServer) throws -> SSHSession {
            try SSHSession.connect(SSHConfiguration(
                host: "127.0.0.1", port: server.port, user: server.user, keys: [keys.privateKey(label: "test key")],
                timeout: 5))
        }

        /// A few MB of random bytes in a local temp file with `mode`; removed by the caller.
        static func randomFile(bytes: Int, mode: mode_t) throws -> URL {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-upload-\(UUID().uuidString)")
            var generator = SystemRandomNumberGenerator()
            var data = Data(count: bytes)
            data.withUnsafeMutableBytes { raw in
                for index in stride(from: 0, to: raw.count - 7, by: 8) {
                    raw.storeBytes(of: generator.next() as UInt64, toByteOffset: index, as: UInt64.self)
                }
            }
            try data.write(to: url)
            chmod(url.path, mode)
            return url
        }

        static func sha256(_ path: String) throws -> String {
            String(try runTool("/usr/bin/sha256sum", [path]).prefix(64))
        }

        @Test(arguments: [TransferMethod.sftp, .shell, .automatic])
        func fileUploadKeepsContentAndMode(method: TransferMethod) async throws {
            let local = try Self.randomFile(bytes: 3 * 1024 * 1024 + 123, mode: 0o750)
            defer { try? FileManager.default.removeItem(at: local) }
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try connect(server)
                let remote = server.home.appendingPathComponent("uploaded.bin").path
                let clock = ContinuousClock()
                let start = clock.now
                try session.upload(fileAt: local.path, to: remote, method: method)
                print("upload: 3 MiB via \(method) in \(clock.now - start)")
                #expect(try Self.sha256(remote) == Self.sha256(local.path))
                #expect(try session.run("stat -c %a \(ShellQuote.quote(remote))").stdoutText == "750\n")
                // Replacing with a smaller file truncates, and an explicit mode wins.
                try session.upload(data: Data("small\n".utf8), to: remote, mode: 0o600, method: method)
                #expect(try session.run("cat \(ShellQuote.quote(remote)); stat -c %a \(ShellQuote.quote(remote))")
                    .stdoutText == "small\n600\n")
            }
        }

        @Test func automaticFallsBackToShellWithoutSFTPSubsystem() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine], sftp: false) { server in
                let session = try connect(server)
                let remote = server.home.appendingPathComponent("odd name 'with' $quotes").path
                let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
                try session.upload(data: payload, to: remote, mode: 0o640)
                #expect(try session.run("cat \(ShellQuote.quote(remote))").stdout == payload)
                #expect(try session.run("stat -c %a \(ShellQuote.quote(remote))").stdoutText == "640\n")
                let error = try #require(throws: SSHError.self) {
                    try session.upload(data: payload, to: remote, method: .sftp)
                }
                #expect(error.message.contains("no SFTP subsystem"))
            }
        }

        @Test(arguments: [TransferMethod.sftp, .shell])
        func uploadIntoMissingDirectoryFailsClearly(method: TransferMethod) async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try connect(server)
                let error = try #require(throws: SSHError.self) {
                    try session.upload(data: Data("x".utf8), to: "/nonexistent-dir/file", method: method)
                }
                #expect(error.code == .transferFailed)
                #expect(error.message.contains("/nonexistent-dir/file"))
            }
        }
    }
}
