import Spec

/// Whether a host endpoint is free for a new forward.
public enum PortAvailability: Sendable, Equatable {
    case free
    /// A socket on this host is bound there.
    case inUse
    /// The address is not one of this host's.
    case addressNotLocal
}

/// Why a forwarded port could not get a host port.
public struct PortAllocationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Error, Sendable, Equatable {
        case boundByProcess
        case forwardedByVmfile
        case addressNotLocal
        case rangeExhausted
    }

    public var port: ForwardedPort
    public var reason: Reason

    public init(port: ForwardedPort, reason: Reason) {
        self.port = port
        self.reason = reason
    }

    public var description: String {
        let endpoint = "\(port.hostIP):\(port.host)/\(port.protocol.rawValue)"
        switch reason {
        case .boundByProcess: return "host port \(endpoint) is in use by another process"
        case .forwardedByVmfile: return "host port \(endpoint) is already forwarded to another vmfile machine"
        case .addressNotLocal: return "host_ip \(port.hostIP) is not an address of this host"
        case .rangeExhausted: return "no free host port for \(endpoint) in \(PortAllocator.correctionRange)"
        }
    }
}

/// Chooses host ports for a machine's forwarded ports before it boots: the Vmfile's port when free,
/// else (with `auto_correct`) the port a previous run chose, else the first free one in
/// `correctionRange` (Vagrant's usable range and beyond).
public struct PortAllocator {
    /// Ports `auto_correct` picks from.
    public static let correctionRange = 2200...2999

    /// Endpoints forwarded to other machines (nftables rules, sibling machines' plans).
    public var taken: [HostEndpoint]
    /// Asks the host whether a socket could bind there.
    public var probe: (HostEndpoint) -> PortAvailability

    public init(taken: [HostEndpoint], probe: @escaping (HostEndpoint) -> PortAvailability) {
        self.taken = taken
        self.probe = probe
    }

    /// Host ports for `ports`, in order. `previous` is what the last run chose (from `ports.json`).
    public mutating func allocate(_ ports: [ForwardedPort], previous: [PortMapping]) throws(PortAllocationError) -> [PortMapping] {
        var mappings: [PortMapping] = []
        for port in ports {
            let requested = HostEndpoint(protocol: port.protocol, address: port.hostIP, port: port.host)
            let chosen: Int
            switch check(requested) {
            case .success:
                chosen = port.host
            case .failure(let reason):
                guard port.autoCorrect, reason != .addressNotLocal else { throw PortAllocationError(port: port, reason: reason) }
                let earlier = previous.first {
                    $0.id == port.id && $0.requestedHostPort == port.host && $0.hostIP == port.hostIP && $0.protocol == port.protocol
                }
                let candidates = (earlier.map { [$0.hostPort] } ?? []) + Array(Self.correctionRange)
                guard let free = candidates.first(where: { candidate in
                    var endpoint = requested
                    endpoint.port = candidate
                    return (try? check(endpoint).get()) != nil
                }) else { throw PortAllocationError(port: port, reason: .rangeExhausted) }
                chosen = free
            }
            let mapping = PortMapping(id: port.id, protocol: port.protocol, hostIP: port.hostIP, hostPort: chosen,
                                      guestPort: port.guest, requestedHostPort: port.host)
            taken.append(mapping.hostEndpoint)
            mappings.append(mapping)
        }
        return mappings
    }

    private func check(_ endpoint: HostEndpoint) -> Result<Void, PortAllocationError.Reason> {
        if taken.contains(where: { $0.collides(with: endpoint) }) { return .failure(.forwardedByVmfile) }
        switch probe(endpoint) {
        case .free: return .success(())
        case .inUse: return .failure(.boundByProcess)
        case .addressNotLocal: return .failure(.addressNotLocal)
        }
    }
}
