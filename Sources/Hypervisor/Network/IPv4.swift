/// An IPv4 address.
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The address in host byte order.
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text; nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 subnet, `address/prefix`, normalised to its network address.
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits zero).
    public var network: IPv4Address
    /// Prefix length, 8…30.
    public var prefix: Int

    /// Parses `10.42.7.0/24`.
    /// - Throws: `.invalidSpec` when malformed or the prefix is outside 8…30.
    public init(_ cidr: String) throws(HypervisorError) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), let prefix = Int(parts[1]), (8...30).contains(prefix) else {
            throw HypervisorError(.invalidSpec, "'\(cidr)' is not an IPv4 subnet like 10.42.7.0/24 (prefix 8…30)")
        }
        self.prefix = prefix
        self.network = IPv4Address(address.value & Self.mask(prefix))
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }

    /// The netmask, e.g. 255.255.255.0.
    public var netmask: IPv4Address { IPv4Address(Self.mask(prefix)) }
    /// The first host address (used as the gateway / host side).
    public var firstHost: IPv4Address { IPv4Address(network.value + 1) }
    /// The last host address (before broadcast).
    public var lastHost: IPv4Address { IPv4Address(network.value | ~Self.mask(prefix) - 1) }

    /// True when `address` lies in this subnet.
    public func contains(_ address: IPv4Address) -> Bool { address.value & Self.mask(prefix) == network.value }

    /// True when the two subnets share any address.
    public func overlaps(_ other: IPv4Subnet) -> Bool {
        let shorter = min(prefix, other.prefix)
        return network.value & Self.mask(shorter) == other.network.value & Self.mask(shorter)
    }

    public var description: String { "\(network)/\(prefix)" }
}
