import Foundation
import Spec

/// The host endpoints root's forwarded ports occupy, in a world-readable form.
///
/// Kernel DNAT rules occupy no socket, so a bind probe finds their ports free, and only root may list
/// nftables. An unprivileged (session-mode) vmfile would then hand such a port to its QEMU, whose
/// listener the DNAT rule bypasses: SSH to `127.0.0.1:PORT` reaches another machine's guest. So every
/// rule set `NFTablesPortForwarder` installs is also written here, one file per owner (`tcp 127.0.0.1
/// 2200` a line), and session mode treats what it lists as taken. The rules stay the truth for root;
/// a stale file (a killed run) only makes a port look taken. `/run` is emptied at boot, as the rules are.
public struct ForwardedPortRegistry: Sendable {
    /// The directory; one file per owner (domain name).
    public let directory: URL

    public init(directory: URL = URL(fileURLWithPath: "/run/vmfile/forwarded-ports")) {
        self.directory = directory
    }

    /// Records `owner`'s endpoints (replacing what it had); an empty list removes its file.
    public func record(owner: String, endpoints: [HostEndpoint]) throws {
        let file = directory.appendingPathComponent(owner)
        guard !endpoints.isEmpty else { return try remove(owner: owner) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let text = endpoints.map { "\($0.protocol.rawValue) \($0.address) \($0.port)\n" }.joined()
        try Data(text.utf8).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
    }

    /// Forgets `owner`'s endpoints; fine when it had none.
    public func remove(owner: String) throws {
        let file = directory.appendingPathComponent(owner)
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        try FileManager.default.removeItem(at: file)
    }

    /// Every recorded endpoint, by owner.
    public func endpoints() -> [String: [HostEndpoint]] {
        let owners = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var result: [String: [HostEndpoint]] = [:]
        for owner in owners where !owner.hasPrefix(".") {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(owner), encoding: .utf8) else { continue }
            result[owner] = text.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ").map(String.init)
                guard words.count == 3, let proto = ForwardedPort.TransportProtocol(rawValue: words[0]), let port = Int(words[2]) else { return nil }
                return HostEndpoint(protocol: proto, address: words[1], port: port)
            }
        }
        return result
    }

    /// Whether a recorded endpoint takes `endpoint` (same protocol and port; `0.0.0.0` takes every address).
    public func isForwarded(_ endpoint: HostEndpoint) -> Bool {
        endpoints().values.joined().contains { recorded in
            recorded.protocol == endpoint.protocol && recorded.port == endpoint.port
                && (recorded.address == endpoint.address || recorded.address == "0.0.0.0" || endpoint.address == "0.0.0.0")
        }
    }
}
