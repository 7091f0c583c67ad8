import Foundation

/// Whether a host endpoint is free, found by binding a socket there (and closing it at once).
///
/// TCP binds with `SO_REUSEADDR`, so connections lingering in TIME_WAIT do not count as in use while
/// a listener does. Nothing is sent.
public enum PortProbe {
    public static func availability(of endpoint: HostEndpoint) -> PortAvailability {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: endpoint.port)).bigEndian
        guard inet_pton(AF_INET, endpoint.address, &address.sin_addr) == 1 else { return .addressNotLocal }
        let type = endpoint.protocol == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .inUse }
        defer { close(fd) }
        if endpoint.protocol == .tcp {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result == 0 { return .free }
        return errno == EADDRNOTAVAIL ? .addressNotLocal : .inUse
    }
}
