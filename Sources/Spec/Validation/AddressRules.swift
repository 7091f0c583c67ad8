/// Which addresses of a private network a guest may use.
enum AddressRules {
    /// Why `ip` cannot be a guest address on `subnet` (`is outside 10.0.0.0/24`, `is the network's gateway`),
    /// or nil when it can.
    static func problem(with ip: IPv4Address, in subnet: IPv4Network) -> String? {
        if !subnet.contains(ip) { return "is outside \(subnet)" }
        if ip == subnet.networkAddress { return "is the network address of \(subnet)" }
        if ip == subnet.gatewayAddress { return "is the host's gateway address on \(subnet)" }
        if ip == subnet.broadcastAddress { return "is the broadcast address of \(subnet)" }
        return nil
    }

    /// `use an address from A to B` for the guest-usable part of `subnet`.
    static func usableRangeHint(_ subnet: IPv4Network) -> String {
        let first = IPv4Address(value: subnet.gatewayAddress.value &+ 1)
        let last = IPv4Address(value: subnet.broadcastAddress.value &- 1)
        return "use an address from \(first) to \(last)"
    }
}
