import Foundation
import Net
import Provisioner

/// `GuestConnector` over the Provisioner's libssh client: one in-process SSH connection per
/// machine, no `ssh` process per probe.
public struct LibsshGuestConnector: GuestConnector {
    public init() {}

    public func waitUntilReady(_ endpoint: GuestEndpoint, keys: [String], pinnedHostKey: String?,
                               deadline: Date) throws -> any GuestSession {
        let pin = try pinnedHostKey.map { try HostKeyPin(openSSHLine: $0) }
        let configuration = SSHConfiguration(
            host: endpoint.host, port: endpoint.port, user: endpoint.user,
            keys: keys.enumerated().map { SSHPrivateKey.inMemory($0.element, label: "key \($0.offset + 1)") },
            hostKeyPin: pin)
        let timeout = max(1, deadline.timeIntervalSinceNow)
        let (session, _) = try BlockingBridge.wait { try await SSHSession.waitUntilReady(configuration, timeout: timeout) }
        return LibsshGuestSession(session: session)
    }

    public func generateKeyPair(comment: String) throws -> (privateKey: String, publicKey: String) {
        let pair = try SSHKeyPair.generateEd25519(comment: comment)
        return (pair.privateKeyOpenSSH, pair.publicKeyLine)
    }

    public func rsync(_ arguments: [String]) throws -> GuestCommandResult {
        let result = try Command.run("rsync", arguments, missingHint: "install rsync on this host (Debian: apt-get install rsync)")
        return GuestCommandResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}

/// A connected libssh session seen as a `GuestSession`.
final class LibsshGuestSession: GuestSession {
    let session: SSHSession

    init(session: SSHSession) {
        self.session = session
    }

    var hostKey: String { session.hostKey.openSSHLine }

    func run(_ command: String) throws -> GuestCommandResult {
        let result = try session.run(command)
        return GuestCommandResult(status: result.status.signal == nil ? result.status.code : 128 + 9,
                                  stdout: result.stdoutText, stderr: result.stderrText)
    }

    func execute(_ command: String, stdin: Data?, output: (GuestStream, Data) -> Void) throws -> GuestExit {
        let status = try session.execute(command, stdin: stdin, onStdout: { output(.stdout, $0) },
                                         onStderr: { output(.stderr, $0) })
        return GuestExit(code: status.code, signal: status.signal)
    }

    func close() {
        session.close()
    }
}

/// Runs async work to completion from a blocking thread (the lifecycle's per-machine threads,
/// never the cooperative pool, which this would starve).
enum BlockingBridge {
    static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        guard let result = box.result else { throw CancellationError() }
        return try result.get()
    }

    private final class ResultBox<T: Sendable>: @unchecked Sendable {
        // Sendable: written once before the semaphore signals, read after it.
        var result: Result<T, any Error>?
    }
}

/// Vagrant's insecure private keys, for first contact with Vagrant-style boxes.
enum InsecureKeys {
    static var ed25519: String { VagrantInsecureKey.ed25519 }
    static var all: [String] { [VagrantInsecureKey.ed25519, VagrantInsecureKey.rsa] }
}
