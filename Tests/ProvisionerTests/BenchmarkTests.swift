import Foundation
import Provisioner
import Testing

extension LoopbackServerTests {
    /// Measures per-command overhead on one connection against one `ssh` process per command. Prints numbers,
    /// asserts nothing about time (DESIGN: no timed assertions). `VMFILE_BENCH_N` sets the count (default 20; the README numbers use 100).
    @Suite("Exec overhead benchmark", .serialized, .enabled(if: SSHDServer.shouldRun(.openssh)))
    struct BenchmarkTests {
        @Test func perExecOverheadVersusSSHProcesses() async throws {
            let count = Int(ProcessInfo.processInfo.environment["VMFILE_BENCH_N"] ?? "") ?? 20
            let keys = try SSHKeyPair.generateEd25519(comment: "vmfile-bench")
            let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-bench-key-\(UUID().uuidString)")
            try keys.writePrivateKey(to: keyFile.path)
            defer { try? FileManager.default.removeItem(at: keyFile) }
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let clock = ContinuousClock()

                var start = clock.now
                let session = try SSHSession.connect(SSHConfiguration(
                    host: "127.0.0.1", port: server.port, user: server.user, keys: [keys.privateKey(label: "bench")]))
                let connect = clock.now - start
                start = clock.now
                #expect(try session.run("true").status.succeeded)
                let firstExec = clock.now - start

                start = clock.now
                for _ in 0..<count {
                    #expect(try session.run("true").status.succeeded)
                }
                let inProcess = (clock.now - start) / count

                let sshArguments = [
                    "-q", "-i", keyFile.path, "-p", "\(server.port)", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                    "\(server.user)@127.0.0.1", "true",
                ]
                start = clock.now
                for _ in 0..<count {
                    #expect(try ChildProcess.spawn("/usr/bin/ssh", sshArguments).wait() == 0)
                }
                let perProcess = (clock.now - start) / count
                let ratio = perProcess / inProcess
                print("""
                    benchmark (\(count) × `true`, loopback OpenSSH, /bin/sh user):
                      libssh connect+auth: \(connect)
                      first exec on a new connection: \(firstExec)
                      per exec, one connection: \(inProcess)
                      per `ssh host true` process: \(perProcess)
                      ratio: \(ratio)
                    """)
            }
        }
    }
}
