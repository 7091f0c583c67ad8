import Foundation

/// Cheap checks whether something accepts TCP connections on host:port (non-blocking connects).
///
/// Each ``probe(timeout:)`` sends a fresh SYN and also keeps the earlier attempts of the last
/// ``maxAge`` seconds open: a SYN sent before the guest had its address is lost and the kernel resends
/// it only after a second, so new short attempts notice a fresh guest quickly, while the older ones
/// (with the kernel's retransmits) still answer on a slow link whose round trip exceeds one probe.
///
/// The connection that answered is kept for ``takeConnectedSocket()``: the SSH session then runs on it
/// instead of opening another, which under TCG costs the guest a second accept and fork of its sshd.
final class TCPProbe {
    enum Outcome: Equatable {
        case open
        case refused
        case timedOut
        case failed(String)

        var summary: String {
            switch self {
            case .open: "TCP port open"
            case .refused: "connection refused (sshd not listening yet)"
            case .timedOut: "TCP connect timed out (guest network not up yet?)"
            case .failed(let reason): "TCP connect failed: \(reason)"
            }
        }
    }

    /// How long an attempt stays in flight before it is given up.
    static let maxAge: TimeInterval = 3

    private let host: String
    private let port: Int
    private var attempts: [(fd: Int32, started: Date)] = []
    /// The connected socket of the last `.open` probe, until taken.
    private var connected: Int32 = -1

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    deinit {
        closeAll()
        closeConnected()
    }

    /// Attempts still waiting for an answer (each holds a socket).
    var attemptsInFlight: Int { attempts.count }

    /// Starts an attempt and waits up to `timeout` for any attempt in flight to connect or fail.
    ///
    /// The newest attempt speaks for the guest as it is now (refused: up, but nothing listens yet). An older
    /// one may fail for a reason that no longer holds (its SYN went out before the guest had its address and
    /// ended as "no route to host"): it is dropped and the wait goes on, so a connection that completes a
    /// moment later is seen at once rather than one poll interval later.
    func probe(timeout: TimeInterval) -> Outcome {
        expireOldAttempts()
        closeConnected()
        let newest: Int32
        switch start() {
        case .pending(let fd):
            attempts.append((fd, Date()))
            newest = fd
        case .connected(let fd):
            closeAll()
            connected = fd
            return .open
        case .failed(let outcome):
            return outcome
        }
        let deadline = Date().addingTimeInterval(min(timeout, 60))
        var outcome = Outcome.timedOut
        while !attempts.isEmpty {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return .timedOut }
            var pollFDs = attempts.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), Int32(max(1, (left * 1000).rounded(.up))))
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(String(cString: strerror(errno)))
            }
            guard ready > 0 else { return .timedOut }
            for entry in pollFDs where entry.revents != 0 {
                let result = Self.pendingError(entry.fd)
                attempts.removeAll { $0.fd == entry.fd }
                if result == 0 {
                    closeAll()
                    connected = entry.fd
                    return .open
                }
                close(entry.fd)
                if entry.fd == newest { return Self.outcome(result) }
                outcome = Self.outcome(result)
            }
        }
        return outcome
    }

    /// Hands over the socket of the last `.open` probe (connected, non-blocking, close-on-exec); the caller
    /// closes it. Nil when the last probe did not connect or the socket was taken already.
    func takeConnectedSocket() -> Int32? {
        guard connected >= 0 else { return nil }
        defer { connected = -1 }
        return connected
    }

    /// The outcome of a finished non-blocking connect: 0 when it connected, else the error.
    private static func pendingError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 ? error : errno
    }

    /// How starting a non-blocking connect went.
    private enum Start {
        case pending(Int32)
        case connected(Int32)
        case failed(Outcome)
    }

    private func start() -> Start {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            return .failed(.failed("cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family,
                        first.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                        first.pointee.ai_protocol)
        guard fd >= 0 else { return .failed(.failed("socket(): \(String(cString: strerror(errno)))")) }
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return .connected(fd) }
        let error = errno
        guard error == EINPROGRESS else {
            close(fd)
            return .failed(Self.outcome(error))
        }
        return .pending(fd)
    }

    private func expireOldAttempts() {
        let now = Date()
        for attempt in attempts where now.timeIntervalSince(attempt.started) > Self.maxAge { close(attempt.fd) }
        attempts.removeAll { now.timeIntervalSince($0.started) > Self.maxAge }
    }

    private func closeAll() {
        for attempt in attempts { close(attempt.fd) }
        attempts.removeAll()
    }

    private func closeConnected() {
        if connected >= 0 { close(connected) }
        connected = -1
    }

    private static func outcome(_ code: Int32) -> Outcome {
        switch code {
        case ECONNREFUSED: .refused
        case ETIMEDOUT: .timedOut
        default: .failed(String(cString: strerror(code)))
        }
    }
}
