import Foundation
import Testing
@testable import Provisioner

/// A loopback listener whose accept queue can be filled, so the kernel drops further SYNs as it does
/// for a guest whose address is not up yet.
private final class Listener {
    private(set) var fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 0) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts (and closes) whatever is queued.
    func drain() {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        while case let client = accept(fd, nil, nil), client >= 0 { close(client) }
    }

    /// Stops listening: connections to the port are refused from now on.
    func stop() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { stop() }
}

@Suite struct TCPProbeTests {
    @Test func aListeningPortIsOpenAndAClosedOneRefused() throws {
        let listener = try Listener()
        #expect(TCPProbe(host: "127.0.0.1", port: listener.port).probe(timeout: 1) == .open)
        let closed = try Listener()
        let freePort = closed.port
        closed.stop()
        #expect(TCPProbe(host: "127.0.0.1", port: freePort).probe(timeout: 1) == .refused)
    }

    @Test func theOpenConnectionIsHandedOverOnce() throws {
        let listener = try Listener()
        let prober = TCPProbe(host: "127.0.0.1", port: listener.port)
        #expect(prober.probe(timeout: 1) == .open)
        let socket = try #require(prober.takeConnectedSocket())
        defer { close(socket) }
        #expect(prober.takeConnectedSocket() == nil, "the socket belongs to the caller now")
        // It is the connection the listener has queued: bytes written to it arrive there.
        let server = accept(listener.fd, nil, nil)
        defer { close(server) }
        #expect(server >= 0)
        #expect(write(socket, "hi", 2) == 2)
        var buffer = [UInt8](repeating: 0, count: 2)
        #expect(read(server, &buffer, 2) == 2)
        #expect(buffer == Array("hi".utf8))
    }

    @Test func unansweredSynsTimeOutThenAFreshAttemptConnectsAndNothingLeaks() throws {
        let listener = try Listener()
        let prober = TCPProbe(host: "127.0.0.1", port: listener.port)
        // Fill the accept queue: from then on the kernel drops SYNs to this port.
        var outcomes: [TCPProbe.Outcome] = []
        for _ in 0..<6 { outcomes.append(prober.probe(timeout: 0.05)) }
        #expect(outcomes.contains(.timedOut))
        #expect(prober.attemptsInFlight > 1, "unanswered attempts stay in flight")

        listener.drain()
        var open = false
        for _ in 0..<40 where !open { open = prober.probe(timeout: 0.25) == .open }
        #expect(open)
        #expect(prober.attemptsInFlight == 0, "an open port closes every attempt")
    }

    @Test func unresolvableHostFailsAtOnce() {
        let outcome = TCPProbe(host: "no-such-host.invalid", port: 22).probe(timeout: 1)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("cannot resolve"))
    }
}
