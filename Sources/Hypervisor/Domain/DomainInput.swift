internal import CLibvirt
import Foundation

/// An address a domain interface has, as libvirt reports it.
public struct DomainInterfaceAddress: Sendable, Equatable {
    /// Guest-side interface name (agent) or host-side name (lease/ARP).
    public var interface: String
    /// MAC address (lower case).
    public var mac: String
    /// IP address text.
    public var ip: String
    /// Prefix length.
    public var prefix: Int
}

/// Where libvirt looks for a domain's addresses.
public enum AddressSource: Sendable {
    /// The DHCP leases of libvirt networks (no guest cooperation).
    case lease
    /// The QEMU guest agent.
    case agent
    /// The host's ARP table.
    case arp
}

extension Domain {
    /// The domain's interface addresses from `source`.
    public func addresses(source: AddressSource = .lease) throws(HypervisorError) -> [DomainInterfaceAddress] {
        let sourceValue: UInt32
        switch source {
        case .lease: sourceValue = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE.rawValue
        case .agent: sourceValue = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT.rawValue
        case .arp: sourceValue = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP.rawValue
        }
        return try withPointer { domain throws(HypervisorError) in
            var list: UnsafeMutablePointer<virDomainInterfacePtr?>?
            let count = try Libvirt.check("Reading addresses of domain \(name)") {
                virDomainInterfaceAddresses(domain, &list, sourceValue, 0)
            }
            defer {
                for index in 0..<Int(count) { virDomainInterfaceFree(list?[index]) }
                free(list)
            }
            var result: [DomainInterfaceAddress] = []
            for index in 0..<Int(count) {
                guard let interface = list?[index]?.pointee else { continue }
                let interfaceName = interface.name.map { String(cString: $0) } ?? ""
                let mac = interface.hwaddr.map { String(cString: $0).lowercased() } ?? ""
                for addressIndex in 0..<Int(interface.naddrs) {
                    guard let address = interface.addrs?[addressIndex] else { continue }
                    result.append(DomainInterfaceAddress(
                        interface: interfaceName, mac: mac,
                        ip: address.addr.map { String(cString: $0) } ?? "", prefix: Int(address.prefix)
                    ))
                }
            }
            return result
        }
    }
}
