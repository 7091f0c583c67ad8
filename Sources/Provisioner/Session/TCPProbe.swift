import Foundation

/// Cheap checks whether something accepts TCP connections on host:port (non-blocking connects).
///
/// Each ``probe(timeout:)`` sends a fresh SYN and also keeps the earlier attempts of the last
/// ``maxAge`` seconds open: a SYN sent before the guest had its address is lost and the kernel resends
/// it only after a second, so new short attempts notice a fresh guest quickly, while the older ones
/// (with the kernel's retransmits) still answer on a slow link whose round trip exceeds one probe.
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

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    deinit { closeAll() }

    /// Attempts still waiting for an answer (each holds a socket).
    var attemptsInFlight: Int { attempts.count }

    /// Starts an attempt and waits up to `timeout` for any attempt in flight to connect or fail.
    func probe(timeout: TimeInterval) -> Outcome {
        expireOldAttempts()
        switch start() {
        case .pending(let fd): attempts.append((fd, Date()))
        case .connected: closeAll(); return .open
        case .failed(let outcome): return outcome
        }
        var pollFDs = attempts.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
        let milliseconds = Int32(max(1, min(timeout, 60) * 1000))
        var ready: Int32
        repeat { ready = poll(&pollFDs, nfds_t(pollFDs.count), milliseconds) } while ready < 0 && errno == EINTR
        guard ready > 0 else { return ready == 0 ? .timedOut : .failed(String(cString: strerror(errno))) }
        var outcome = Outcome.timedOut
        for entry in pollFDs where entry.revents != 0 {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            let result = getsockopt(entry.fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 ? error : errno
            if result == 0 { closeAll(); return .open }
            outcome = Self.outcome(result)
            close(entry.fd)
            attempts.removeAll { $0.fd == entry.fd }
        }
        return outcome
    }

    /// How starting a non-blocking connect went.
    private enum Start {
        case pending(Int32)
        case connected
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
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 {
            close(fd)
            return .connected
        }
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

    private static func outcome(_ code: Int32) -> Outcome {
        switch code {
        case ECONNREFUSED: .refused
        case ETIMEDOUT: .timedOut
        default: .failed(String(cString: strerror(code)))
        }
    }
}
