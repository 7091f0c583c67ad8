import Foundation
import Spec

/// Picks IPv4 subnets for vmfile's networks that collide with nothing the host already routes or
/// libvirt already defines. Picking reads tables only; it never sends a packet.
public enum SubnetPlanner {
    /// Candidates for the shared management network, in order of preference.
    public static let managementCandidates: [String] = (123...254).map { "192.168.\($0).0/24" }

    /// The first candidate that overlaps none of `used`, or nil when all are taken.
    public static func firstFree(_ candidates: [String], avoiding used: [IPv4Network]) -> IPv4Network? {
        for candidate in candidates {
            guard let subnet = try? IPv4Network(parsing: candidate) else { continue }
            if !used.contains(where: { $0.overlaps(subnet) }) { return subnet }
        }
        return nil
    }

    /// Subnets the host routes (from `/proc/net/route`), except the default route.
    public static func hostRoutes(routeTable: String? = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8)) -> [IPv4Network] {
        guard let routeTable else { return [] }
        var subnets: [IPv4Network] = []
        for line in routeTable.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8,
                  let destination = UInt32(fields[1], radix: 16),
                  let mask = UInt32(fields[7], radix: 16), mask != 0 else { continue }
            // The kernel prints addresses in host (little-endian) byte order.
            subnets.append(IPv4Network(address: IPv4Address(value: destination.byteSwapped), prefixLength: mask.nonzeroBitCount))
        }
        return subnets
    }
}
