import Foundation
import Provisioner
import Testing

/// Resident set size of this process in KiB, from /proc/self/status.
func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

extension LoopbackServerTests {
    @Suite("Streaming large output and input", .serialized, .enabled(if: SSHDServer.shouldRun(.openssh)))
    struct StreamingTests {
        let keys: SSHKeyPair

        init() throws {
            keys = try SSHKeyPair.generateEd25519(comment: "vmfile-test")
        }

        func connect(_ server: SSHDServer) throws -> SSHSession {
            try SSHSession.connect(SSHConfiguration(
                host: "127.0.0.1", port: server.port, user: server.user, keys: [keys.privateKey(label: "test key")],
                timeout: 5))
        }

        @Test func tenMegabytesOfOutputStreamWithFlatMemory() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try connect(server)
                _ = try session.run("true")
                let baseline = residentKiB()
                var peak = baseline
                var stdoutBytes = 0
                var stderrBytes = 0
                var chunks = 0
                let size = 10 * 1024 * 1024
                let clock = ContinuousClock()
                let start = clock.now
                let status = try session.execute(
                    "head -c \(size) /dev/urandom; head -c 1000000 /dev/zero >&2",
                    onStdout: { chunk in
                        stdoutBytes += chunk.count
                        chunks += 1
                        if chunks % 16 == 0 { peak = max(peak, residentKiB()) }
                    },
                    onStderr: { stderrBytes += $0.count }
                )
                let elapsed = clock.now - start
                peak = max(peak, residentKiB())
                #expect(status.succeeded)
                #expect(stdoutBytes == size)
                #expect(stderrBytes == 1_000_000)
                let growthMiB = Double(peak - baseline) / 1024
                print("streaming: 10 MiB stdout + 1 MB stderr in \(elapsed), \(chunks) chunks, RSS growth \(growthMiB) MiB")
                #expect(growthMiB < 30, "RSS grew \(growthMiB) MiB while streaming")
            }
        }

        @Test func largeInputAndOutputAtOnceDoNotDeadlock() async throws {
            try await withServer(authorizedKeys: [keys.publicKeyLine]) { server in
                let session = try connect(server)
                var input = Data(count: 4 * 1024 * 1024)
                input.withUnsafeMutableBytes { raw in
                    for index in 0..<raw.count { raw[index] = UInt8(truncatingIfNeeded: index &* 7 &+ index >> 13) }
                }
                // cat echoes while we still write: both windows fill unless output is consumed during the write.
                let result = try session.run("cat; cat /dev/null >&2", stdin: input)
                #expect(result.status.succeeded)
                #expect(result.stdout == input)
            }
        }
    }
}
