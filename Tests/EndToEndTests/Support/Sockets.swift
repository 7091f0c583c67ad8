import Foundation

/// Loopback sockets for end-to-end tests. Traffic goes to 127.0.0.1 only (DESIGN.md: test traffic
/// stays on loopback and on guests the test started).
enum LoopbackSocket {
    /// A port the kernel says is free on 127.0.0.1 right now.
    static func freePort(udp: Bool = false) throws -> Int {
        let fd = try open(udp: udp)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw SandboxError(message: "cannot bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A listening TCP socket on 127.0.0.1:`port` (to make a port busy); close it with `close(fd)`.
    ///
    /// With `SO_REUSEADDR`, as QEMU's forwards and vmfile's port probe bind: a port whose last
    /// connections linger in TIME_WAIT (a guest that just powered off closes them first) can be taken,
    /// one another socket listens on cannot.
    static func listen(port: Int) throws -> Int32 {
        let fd = try open(udp: false)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let ok = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard ok, Glibc.listen(fd, 1) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SandboxError(message: "cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        return fd
    }

    /// Connects to 127.0.0.1:`port`, sends `payload`, reads until as many bytes came back or the
    /// peer closed; retries refused connections until `deadline` (a server still starting).
    static func tcpExchange(port: Int, payload: [UInt8], deadline: Date) throws -> [UInt8] {
        while true {
            let fd = try open(udp: false)
            defer { close(fd) }
            setTimeout(fd, seconds: 10)
            var address = loopback(port: port)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if connected {
                var sent = 0
                while sent < payload.count {
                    let n = payload[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard n > 0 else { break }
                    sent += n
                }
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while received.count < payload.count {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    guard n > 0 else { break }
                    received += buffer[..<n]
                }
                if !received.isEmpty || Date() >= deadline { return received }
            } else if Date() >= deadline {
                throw SandboxError(message: "connect 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// Sends `count` datagrams to 127.0.0.1:`port` from a connected UDP socket; returns the errno of
    /// a receive afterwards (ECONNREFUSED when the far end said "port unreachable").
    static func udpSend(port: Int, count: Int) throws -> Int32 {
        let fd = try open(udp: true)
        defer { close(fd) }
        setTimeout(fd, seconds: 3)
        var address = loopback(port: port)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let datagram = Array("vmfile-udp".utf8)
        // A "port unreachable" from the previous datagram fails the next send (and clears itself):
        // count only datagrams that left.
        var sent = 0, attempts = 0
        while sent < count, attempts < count * 4 {
            attempts += 1
            if datagram.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) > 0 { sent += 1 }
            Thread.sleep(forTimeInterval: 0.05)
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n < 0 ? errno : 0
    }

    private static func open(udp: Bool) throws -> Int32 {
        let fd = socket(AF_INET, udp ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SandboxError(message: "socket: \(String(cString: strerror(errno)))") }
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func setTimeout(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
