import Foundation
import Testing

extension Sandbox {
    /// Expects machine `from` to reach machine `to` at `address` (on a network the test made): two
    /// pings, then a line through a TCP echo server started on `to`.
    func expectReachable(from: String, to: String, address: String, port: Int = 7777,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ping = try run("ssh", from, "-c", "sudo -n ping -c 2 -W 10 \(address)")
        #expect(ping.status == 0, "\(ping)", sourceLocation: sourceLocation)
        let server = try run("ssh", to, "-c", "setsid nc -ll -p \(port) -e cat </dev/null >/dev/null 2>&1 &")
        #expect(server.status == 0, "\(server)", sourceLocation: sourceLocation)
        Thread.sleep(forTimeInterval: 1)
        let marker = "hello-\(to)-\(port)"
        let echo = try run("ssh", from, "-c", "(echo \(marker); sleep 2) | timeout 10 nc \(address) \(port)")
        #expect(echo.stdout.contains(marker), "\(echo)", sourceLocation: sourceLocation)
    }
}
