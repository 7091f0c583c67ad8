/// An IPv4 address in dotted-quad form.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address as a big-endian-ordered integer (`10.0.0.1` is `0x0A000001`).
    public var value: UInt32

    /// The address whose integer form is `value`.
    public init(value: UInt32) {
        self.value = value
    }

    /// Parses `a.b.c.d` (four decimal parts 0–255, no leading zeros); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                  part.count == 1 || part.first != "0",
                  let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    /// `0.0.0.0`: every host interface when binding.
    public static let any = IPv4Address(value: 0)

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    public var description: String {
        [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
    }
}

/// An IPv4 network in CIDR form such as `192.168.56.0/24`.
public struct IPv4Network: Sendable, Hashable, CustomStringConvertible {
    /// The network address (host bits zero).
    public var address: IPv4Address
    /// Bits of the network part, 0–32.
    public var prefixLength: Int

    /// Why a text is not a usable network.
    public enum ParseError: Error, Sendable, Equatable {
        case malformed
        case hostBitsSet(suggested: String)
    }

    /// The network holding `address` (host bits are cleared), e.g. `192.168.56.1` + 24 → `192.168.56.0/24`.
    public init(address: IPv4Address, prefixLength: Int) {
        let prefix = min(max(prefixLength, 0), 32)
        let mask: UInt32 = prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
        self.address = IPv4Address(value: address.value & mask)
        self.prefixLength = prefix
    }

    /// Parses `a.b.c.d/n`; the address must be the network address (host bits zero).
    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              parts[1].allSatisfy(\.isASCIIDigit), let prefix = Int(parts[1]), (0...32).contains(prefix)
        else { throw .malformed }
        let network = IPv4Network(address: address, prefixLength: prefix)
        guard network.address == address else {
            throw .hostBitsSet(suggested: "\(network.networkAddress)/\(prefix)")
        }
        self = network
    }

    /// The netmask as an integer (`/24` is `0xFFFFFF00`).
    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength) }
    /// The first address (host bits zero).
    public var networkAddress: IPv4Address { IPv4Address(value: address.value & mask) }
    /// The last address (host bits one).
    public var broadcastAddress: IPv4Address { IPv4Address(value: address.value & mask | ~mask) }
    /// The host's address on the network: the first host address (`.1` of a /24).
    public var gatewayAddress: IPv4Address { IPv4Address(value: networkAddress.value &+ 1) }
    /// The last address before the broadcast address (`.254` of a /24).
    public var lastHostAddress: IPv4Address { IPv4Address(value: broadcastAddress.value &- 1) }
    /// The netmask in dotted form (`255.255.255.0` for a /24).
    public var netmaskAddress: IPv4Address { IPv4Address(value: mask) }

    /// Whether `ip` lies inside the network (network and broadcast addresses included).
    public func contains(_ ip: IPv4Address) -> Bool { ip.value & mask == networkAddress.value }

    /// Whether the two networks share any address.
    public func overlaps(_ other: IPv4Network) -> Bool {
        contains(other.networkAddress) || other.contains(networkAddress)
    }

    public var description: String { "\(networkAddress)/\(prefixLength)" }
}
