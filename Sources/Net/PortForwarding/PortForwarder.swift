import Foundation
import Spec

/// Installs and removes a machine's forwarded ports on the host.
public protocol PortForwarder: Sendable {
    /// Host endpoints forwarded to machines other than `owner`.
    func endpoints(excludingOwner owner: String) throws -> [HostEndpoint]
    /// Whether a socket could bind `endpoint` on this host.
    func availability(of endpoint: HostEndpoint) -> PortAvailability
    /// Makes `owner`'s forwards exactly `mappings`, to `guest` reached through `bridge`.
    func apply(owner: String, mappings: [PortMapping], guest: IPv4Address, bridge: String) throws
    /// Removes every forward of `owner`; fine when there is none.
    func remove(owner: String) throws
}

/// Forwarded ports as kernel DNAT rules in the nftables table `ip vmfile` (see `NFTablesRuleSet`).
/// They keep working after vmfile exits and across guest reboots.
public struct NFTablesPortForwarder: PortForwarder {
    /// Where the installed endpoints are also written for unprivileged readers.
    public let registry: ForwardedPortRegistry

    public init(registry: ForwardedPortRegistry = ForwardedPortRegistry()) {
        self.registry = registry
    }

    public func endpoints(excludingOwner owner: String) throws -> [HostEndpoint] {
        let listing = try Command.run("nft", ["list", "table", "ip", "vmfile"])
        // No table yet: nothing forwarded.
        guard listing.status == 0 else { return [] }
        return NFTablesRuleSet.endpoints(in: listing.stdout, excludingOwner: owner)
    }

    public func availability(of endpoint: HostEndpoint) -> PortAvailability {
        PortProbe.availability(of: endpoint)
    }

    public func apply(owner: String, mappings: [PortMapping], guest: IPv4Address, bridge: String) throws {
        if mappings.contains(where: { NFTablesRuleSet.isLoopback($0.hostIP) || $0.hostIP == "0.0.0.0" }) {
            try enableRouteLocalnet(bridge)
        }
        try run(NFTablesRuleSet.replace(owner: owner, mappings: mappings, guest: guest), doing: "install forwarded ports")
        try record(owner, mappings.map { HostEndpoint(protocol: $0.protocol, address: $0.hostIP, port: $0.hostPort) })
    }

    public func remove(owner: String) throws {
        try run(NFTablesRuleSet.remove(owner: owner), doing: "remove forwarded ports")
        try record(owner, [])
    }

    private func record(_ owner: String, _ endpoints: [HostEndpoint]) throws {
        do {
            try registry.record(owner: owner, endpoints: endpoints)
        } catch {
            throw NetError("cannot record the forwarded ports of \(owner) in \(registry.directory.path): \(error.localizedDescription)",
                           hint: "check that \(registry.directory.path) is writable by root")
        }
    }

    /// Lets packets from 127.0.0.1 that DNAT sends to a guest be routed out of `bridge` (the kernel
    /// drops them as martians otherwise). Only that bridge, not `all`.
    private func enableRouteLocalnet(_ bridge: String) throws {
        let path = "/proc/sys/net/ipv4/conf/\(bridge)/route_localnet"
        if (try? String(contentsOfFile: path, encoding: .utf8))?.hasPrefix("1") == true { return }
        do {
            try Data("1\n".utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw NetError("cannot enable route_localnet on \(bridge) (\(path)): \(error.localizedDescription)",
                           hint: "forwarded ports on 127.0.0.1 need root; run vmfile as root or use host_ip of another local address")
        }
    }

    private func run(_ script: String, doing what: String) throws {
        let result = try Command.run("nft", ["-f", "-"], stdin: script)
        guard result.status == 0 else {
            let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw NetError("nft failed to \(what) (exit \(result.status)): \(detail)",
                           hint: result.stderr.contains("Operation not permitted")
                               ? "forwarded ports use kernel nftables rules and need root"
                               : "check `nft list table \(NFTablesRuleSet.table)`; the script was:\n\(script)")
        }
    }
}
