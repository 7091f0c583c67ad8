import Crypto
import Foundation

/// Name-based domain UUIDs (RFC 4122 version 5, SHA-1 in vmfile's namespace).
///
/// A domain's UUID follows from its name, so every define of one machine carries the same identity:
/// a rerun that defines while a killed run's define is still in flight inside libvirtd updates that
/// domain instead of failing with "already exists with uuid".
public enum DomainUUID {
    /// vmfile's namespace (a fixed random UUID).
    static let namespace: [UInt8] = [
        0x6b, 0x1f, 0x3c, 0x2e, 0x8a, 0x54, 0x4d, 0x19, 0x9e, 0x07, 0x51, 0xc2, 0xa4, 0x3d, 0x90, 0x7f,
    ]

    /// The UUID for the domain called `name`, as libvirt writes UUIDs (lowercase, hyphenated).
    public static func named(_ name: String) -> String {
        var bytes = Array(Insecure.SHA1.hash(data: namespace + Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x50  // version 5
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4),
                     hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
