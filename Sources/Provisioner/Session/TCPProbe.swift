import Foundation

/// A cheap check whether something accepts TCP connections on host:port (non-blocking connect, short timeout).
enum TCPProbe {
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

    static func probe(host: String, port: Int, timeout: TimeInterval) -> Outcome {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            return .failed("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }

        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), first.pointee.ai_protocol)
        guard fd >= 0 else { return .failed("socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }

        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return .open }
        guard errno == EINPROGRESS else { return outcome(errno) }
        var pollFD = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let milliseconds = Int32(max(1, min(timeout, 60) * 1000))
        var ready: Int32
        repeat { ready = poll(&pollFD, 1, milliseconds) } while ready < 0 && errno == EINTR
        guard ready > 0 else { return ready == 0 ? .timedOut : .failed(String(cString: strerror(errno))) }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return outcome(errno) }
        return error == 0 ? .open : outcome(error)
    }

    private static func outcome(_ code: Int32) -> Outcome {
        switch code {
        case ECONNREFUSED: .refused
        case ETIMEDOUT: .timedOut
        default: .failed(String(cString: strerror(code)))
        }
    }
}
