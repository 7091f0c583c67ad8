internal import CLibvirt
import Foundation

/// Linux input key codes (`linux/input-event-codes.h`) for typing boot commands into a guest.
public enum LinuxKey {
    public static let escape: UInt32 = 1
    public static let backspace: UInt32 = 14
    public static let tab: UInt32 = 15
    public static let enter: UInt32 = 28
    public static let leftControl: UInt32 = 29
    public static let leftShift: UInt32 = 42
    public static let leftAlt: UInt32 = 56
    public static let space: UInt32 = 57
    public static let f1: UInt32 = 59
    public static let up: UInt32 = 103
    public static let left: UInt32 = 105
    public static let right: UInt32 = 106
    public static let down: UInt32 = 108
    public static let pageUp: UInt32 = 104
    public static let pageDown: UInt32 = 109
    public static let home: UInt32 = 102
    public static let end: UInt32 = 107
    public static let insert: UInt32 = 110
    public static let delete: UInt32 = 111

    /// F1…F10 are 59…68; F11, F12 are 87, 88.
    public static func function(_ number: Int) -> UInt32? {
        switch number {
        case 1...10: return UInt32(58 + number)
        case 11: return 87
        case 12: return 88
        default: return nil
        }
    }

    private static let unshifted: [Character: UInt32] = {
        var map: [Character: UInt32] = [:]
        for (row, start) in [("1234567890-=", 2), ("qwertyuiop[]", 16), ("asdfghjkl;'`", 30), ("\\zxcvbnm,./", 43)] as [(String, UInt32)] {
            for (offset, character) in row.enumerated() { map[character] = start + UInt32(offset) }
        }
        map[" "] = space
        map["\n"] = enter
        map["\t"] = tab
        return map
    }()

    private static let shifted: [Character: Character] = {
        let pairs = Array(zip("!@#$%^&*()_+{}:\"~|<>?", "1234567890-=[];'`\\,./"))
        var map = Dictionary(uniqueKeysWithValues: pairs)
        for letter in "abcdefghijklmnopqrstuvwxyz" { map[Character(letter.uppercased())] = letter }
        return map
    }()

    /// The chord (keys pressed together) that types `character` on a US layout, or nil.
    public static func chord(for character: Character) -> [UInt32]? {
        if let code = unshifted[character] { return [code] }
        if let base = shifted[character], let code = unshifted[base] { return [leftShift, code] }
        return nil
    }
}

extension Domain {
    /// Presses the keys in `codes` together, holds them `holdMilliseconds`, releases them.
    public func sendKeys(_ codes: [UInt32], holdMilliseconds: UInt32 = 0) throws(HypervisorError) {
        var keys = codes.map { UInt32($0) }
        try withPointer { domain throws(HypervisorError) in
            try Libvirt.check("Sending keys \(codes) to domain \(name)") {
                virDomainSendKey(domain, UInt32(VIR_KEYCODE_SET_LINUX.rawValue), holdMilliseconds, &keys, Int32(keys.count), 0)
            }
        }
    }

    /// Types `text` on a US layout, one chord per character.
    /// - Throws: `.invalidArgument` for a character that has no key (before sending anything).
    public func type(_ text: String, holdMilliseconds: UInt32 = 0) throws(HypervisorError) {
        var chords: [[UInt32]] = []
        for character in text {
            guard let chord = LinuxKey.chord(for: character) else {
                throw HypervisorError(.invalidArgument, "Typing into domain \(name): no key for \(character.debugDescription); use a key name such as <enter> instead")
            }
            chords.append(chord)
        }
        for chord in chords { try sendKeys(chord, holdMilliseconds: holdMilliseconds) }
    }
}

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
