import Spec

/// One forwarded port as applied: the host side chosen (after `auto_correct`) and the guest side.
public struct PortMapping: Codable, Sendable, Equatable {
    /// The Vmfile entry's `id` (`tcp80` unless set).
    public var id: String
    public var `protocol`: ForwardedPort.TransportProtocol
    /// Host address the forward listens on (`0.0.0.0`: every local address).
    public var hostIP: String
    public var hostPort: Int
    public var guestPort: Int
    /// The Vmfile asked for another host port, which was taken; `hostPort` is the replacement.
    public var requestedHostPort: Int

    public init(id: String, protocol: ForwardedPort.TransportProtocol, hostIP: String, hostPort: Int, guestPort: Int,
                requestedHostPort: Int? = nil) {
        self.id = id
        self.protocol = `protocol`
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.guestPort = guestPort
        self.requestedHostPort = requestedHostPort ?? hostPort
    }

    /// Whether `auto_correct` moved this forward off the port the Vmfile asked for.
    public var isCorrected: Bool { hostPort != requestedHostPort }

    /// The host endpoint this forward occupies.
    public var hostEndpoint: HostEndpoint { HostEndpoint(protocol: `protocol`, address: hostIP, port: hostPort) }
}

/// A host address, port and protocol a forward occupies.
public struct HostEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var `protocol`: ForwardedPort.TransportProtocol
    public var address: String
    public var port: Int

    public init(protocol: ForwardedPort.TransportProtocol, address: String, port: Int) {
        self.protocol = `protocol`
        self.address = address
        self.port = port
    }

    /// Same protocol and port, and the same address or either one is `0.0.0.0`.
    public func collides(with other: HostEndpoint) -> Bool {
        `protocol` == other.protocol && port == other.port
            && (address == other.address || address == "0.0.0.0" || other.address == "0.0.0.0")
    }

    public var description: String { "\(address):\(port)/\(`protocol`.rawValue)" }
}
