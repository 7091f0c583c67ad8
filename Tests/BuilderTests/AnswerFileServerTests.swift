import Foundation
import Testing
@testable import Builder

/// The answer-file server over loopback: real sockets, real HTTP requests.
@Suite struct AnswerFileServerTests {
    /// One HTTP/1.0 request over a fresh TCP connection; returns (status, body).
    func get(_ path: String, port: Int, method: String = "GET") throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let request = "\(method) \(path) HTTP/1.0\r\nHost: x\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    @Test func servesContentAndDirectoryFilesAndRefusesTheRest() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("answers-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "preseed\n".write(to: directory.appendingPathComponent("sub/preseed.cfg"), atomically: true, encoding: .utf8)
        try "secret".write(to: directory.deletingLastPathComponent().appendingPathComponent("outside-\(directory.lastPathComponent)"),
                           atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().appendingPathComponent("outside-\(directory.lastPathComponent)")) }

        let server = try AnswerFileServer(address: "127.0.0.1")
        #expect(server.port > 0)
        server.start(files: ["answers": Data("username=vagrant\n".utf8)], directory: directory.path)
        defer { server.stop() }

        #expect(try get("/answers", port: server.port) == (200, "username=vagrant\n"))
        #expect(try get("/answers?x=1", port: server.port) == (200, "username=vagrant\n"))
        #expect(try get("/sub/preseed.cfg", port: server.port) == (200, "preseed\n"))
        #expect(try get("/sub%2Fpreseed.cfg", port: server.port).status == 200)
        #expect(try get("/answers", port: server.port, method: "HEAD") == (200, ""))
        #expect(try get("/missing", port: server.port).status == 404)
        #expect(try get("/sub", port: server.port).status == 404)
        #expect(try get("/../outside-\(directory.lastPathComponent)", port: server.port).status == 404)
        #expect(try get("/sub/../../outside-\(directory.lastPathComponent)", port: server.port).status == 404)
        #expect(try get("/answers", port: server.port, method: "POST").status == 405)
        #expect(server.requests.contains("GET /answers 200"))
    }

    @Test func stopClosesTheSocket() throws {
        let server = try AnswerFileServer(address: "127.0.0.1")
        server.start(files: ["a": Data("1".utf8)])
        #expect(try get("/a", port: server.port).status == 200)
        server.stop()
        server.stop()
        let again = try AnswerFileServer(address: "127.0.0.1", port: server.port)
        again.stop()
    }

    @Test func refusesAnAddressThatIsNotIPv4() {
        #expect(throws: BuilderError.self) { try AnswerFileServer(address: "not-an-ip") }
    }

    @Test(arguments: [
        ("GET /answers HTTP/1.0", 200), ("GET http://10.0.0.1:8080/answers HTTP/1.1", 200),
        ("GET / HTTP/1.0", 404), ("DELETE /answers HTTP/1.0", 405), ("", 400),
    ])
    func responseStatus(line: String, status: Int) {
        let response = AnswerFileServer.respond(to: line) { $0 == "answers" ? Data("x".utf8) : nil }
        #expect(response.status == status)
    }
}
