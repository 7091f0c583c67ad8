import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for download tests: serves fixed bodies, honours
/// `Range: bytes=N-`, redirects, and can cut a body mid-way once to simulate a dropped connection.
final class LoopbackHTTPServer: @unchecked Sendable {
    // Unchecked: mutable state is guarded by `lock`.
    enum Route {
        case body(Data)
        /// Sends the headers and the first `bytes` of the body, then closes — once; later requests get it whole.
        case cutOnce(Data, after: Int)
        case redirect(String)
    }

    struct Request: Equatable {
        var path: String
        var range: String?
    }

    private let listener: Int32
    let port: UInt16
    private let lock = NSLock()
    private var routes: [String: Route] = [:]
    private var log: [Request] = []
    private var stopped = false
    private var cut: Set<String> = []

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw Images.ImageError(message: "cannot listen on 127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Closes the listener once: tests call it in a `defer` and `deinit` calls it again, and a second
    /// `close` would hit whatever descriptor another test thread got under that number meanwhile.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)") ?? URL(fileURLWithPath: "/")
    }

    func route(_ path: String, _ route: Route) {
        lock.lock()
        routes[path] = route
        lock.unlock()
    }

    var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.ends(with: Array("\r\n\r\n".utf8)) {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            received += buffer[0..<count]
            if received.count > 65536 { return }
        }
        let lines = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2 else { return }
        let path = String(parts[1])
        let range = lines.first { $0.lowercased().hasPrefix("range:") }
            .map { String($0.dropFirst("range:".count)).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        log.append(Request(path: path, range: range))
        let route = routes[path]
        let cutNow: Bool
        if case .cutOnce = route, !cut.contains(path) {
            cut.insert(path)
            cutNow = true
        } else {
            cutNow = false
        }
        lock.unlock()

        switch route {
        case nil:
            sendText(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        case .redirect(let target)?:
            sendText(client, "HTTP/1.1 302 Found\r\nLocation: \(target)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        case .body(let body)?, .cutOnce(let body, _)?:
            var start = 0
            if let range, range.hasPrefix("bytes="), let offset = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
                start = offset
            }
            if start > 0 {
                guard start < body.count else {
                    sendText(client, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */\(body.count)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                }
                sendText(client, "HTTP/1.1 206 Partial Content\r\nContent-Length: \(body.count - start)\r\n"
                    + "Content-Range: bytes \(start)-\(body.count - 1)/\(body.count)\r\nConnection: close\r\n\r\n")
            } else {
                sendText(client, "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n")
            }
            var end = body.count
            if cutNow, case .cutOnce(_, let after)? = route { end = min(after, body.count) }
            if start < end { body[start..<end].withUnsafeBytes { writeAll(client, $0) } }
        }
    }

    private func sendText(_ client: Int32, _ text: String) {
        Array(text.utf8).withUnsafeBytes { writeAll(client, $0) }
    }

    private func writeAll(_ client: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.send(client, bytes.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if written <= 0 { return }
            offset += written
        }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
