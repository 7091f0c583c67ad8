import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small GET/HEAD-only static HTTP/1.0 server on a POSIX socket, for answer files while a build runs:
/// bound to one address (the build network's gateway) on a port the kernel picks, serving a fixed set of
/// in-memory files and, optionally, the files below one directory. One thread, one request per
/// connection, so an installer's `wget` is answered at once and nothing lingers after `stop()`.
public final class AnswerFileServer: @unchecked Sendable {
    /// The address it listens on.
    public let address: String
    /// The port the kernel gave it.
    public let port: Int
    private let socketFD: Int32
    private let lock = NSLock()
    private var files: [String: Data] = [:]
    private var directory: String?
    private var stopped = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var requestLog: [String] = []

    /// Binds `address` on a free port (`port` 0) or the one given; serving starts with `start`.
    /// - Throws: `BuilderError(.http)` when the address cannot be bound.
    public init(address: String, port: Int = 0) throws {
        self.address = address
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BuilderError(.http, "cannot create a socket for the answer-file server: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            close(fd)
            throw BuilderError(.http, "'\(address)' is not an IPv4 address for the answer-file server")
        }
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BuilderError(.http, "cannot listen on \(address):\(port) for answer files: \(reason)",
                               hint: "the build network's bridge must be up; check `ip addr`")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.socketFD = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit {
        stop()
    }

    /// Starts answering: `files` maps URL paths (no leading `/`) to contents; `directory`, when given,
    /// serves the regular files below it (never outside it).
    public func start(files: [String: Data], directory: String? = nil) {
        lock.lock()
        self.files = files
        self.directory = directory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        lock.unlock()
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "vmfile-answer-files"
        self.thread = thread
        thread.start()
    }

    /// The request lines served so far (`GET /answers 200`), for messages and tests.
    public var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return requestLog
    }

    /// Stops serving and closes the socket; waits for the serving thread. Later calls do nothing.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        let running = thread != nil
        lock.unlock()
        guard !wasStopped else { return }
        shutdown(socketFD, Int32(SHUT_RDWR))
        if running { finished.wait() }
        close(socketFD)
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func serve() {
        while !isStopped {
            var descriptor = pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 200)
            if ready <= 0 { continue }
            let client = accept(socketFD, nil, nil)
            if client < 0 {
                if isStopped { return }
                continue
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16384 {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            request.append(contentsOf: buffer[0..<count])
            if request.range(of: Data("\r\n\r\n".utf8)) != nil || request.range(of: Data("\n\n".utf8)) != nil { break }
        }
        let head = String(decoding: request, as: UTF8.self)
        let firstLine = head.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).first.map(String.init) ?? ""
        let response = Self.respond(to: firstLine) { self.lookup($0) }
        lock.lock()
        requestLog.append("\(firstLine.split(separator: " ").prefix(2).joined(separator: " ")) \(response.status)")
        lock.unlock()
        response.bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    /// The file at URL path `path` (percent-decoded, no leading `/`), or nil.
    func lookup(_ path: String) -> Data? {
        lock.lock()
        let files = self.files, directory = self.directory
        lock.unlock()
        if let data = files[path] { return data }
        guard let directory, !path.isEmpty else { return nil }
        let components = path.split(separator: "/")
        guard !components.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        let candidate = URL(fileURLWithPath: directory).appendingPathComponent(path).resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard candidate.hasPrefix(root + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return FileManager.default.contents(atPath: candidate)
    }

    /// The whole response (status line, headers, body) for one request line. Pure.
    static func respond(to requestLine: String, lookup: (String) -> Data?) -> (status: Int, bytes: Data) {
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2 else { return message(400, "Bad Request") }
        let method = parts[0]
        guard method == "GET" || method == "HEAD" else { return message(405, "Method Not Allowed") }
        var target = String(parts[1])
        if let query = target.firstIndex(where: { $0 == "?" || $0 == "#" }) { target = String(target[..<query]) }
        if let schemeEnd = target.range(of: "://") { // absolute-form: http://host:port/path
            let rest = target[schemeEnd.upperBound...]
            target = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        }
        let path = String((target.removingPercentEncoding ?? target).drop(while: { $0 == "/" }))
        guard let body = lookup(path) else { return message(404, "Not Found") }
        var head = "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        if method == "HEAD" { return (200, Data(head.utf8)) }
        head.reserveCapacity(0)
        return (200, Data(head.utf8) + body)
    }

    private static func message(_ status: Int, _ reason: String) -> (status: Int, bytes: Data) {
        let body = "\(status) \(reason)\n"
        return (status, Data("HTTP/1.0 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8))
    }
}
