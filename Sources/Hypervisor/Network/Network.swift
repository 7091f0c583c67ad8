import Spec
internal import CLibvirt
import Foundation

/// A DHCP lease handed out by a libvirt network's dnsmasq.
public struct DHCPLease: Sendable, Equatable {
    /// Guest MAC address (lower case).
    public var mac: String
    /// Leased address.
    public var ip: String
    /// Prefix length of the leased address.
    public var prefix: Int
    /// Host name the guest sent, if any.
    public var hostname: String?
    /// Expiry as seconds since the epoch.
    public var expiry: Int64
    /// Bridge interface the lease is on.
    public var interface: String
}

/// A libvirt virtual network. Owns its `virNetworkPtr`, freed exactly once in `deinit`.
///
/// `@unchecked Sendable`: immutable pointer; libvirt objects are thread-safe and errors are read in
/// the failing call (see `LibvirtConnection`).
public final class Network: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// Keeps the connection open for as long as this handle lives.
    public let connection: LibvirtConnection
    /// The network name.
    public let name: String

    init(adopting pointer: OpaquePointer, connection: LibvirtConnection) {
        self.pointer = pointer
        self.connection = connection
        self.name = virNetworkGetName(pointer).map { String(cString: $0) } ?? ""
    }

    deinit { virNetworkFree(pointer) }

    @discardableResult
    func withPointer<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        try body(pointer)
    }

    /// True while the network runs (bridge up, dnsmasq serving).
    public func isActive() throws(HypervisorError) -> Bool {
        try withPointer { network throws(HypervisorError) in
            try Libvirt.check("Checking whether network \(name) is active") { virNetworkIsActive(network) } == 1
        }
    }

    /// The network XML (live when active).
    public func xml() throws(HypervisorError) -> String {
        try withPointer { network throws(HypervisorError) in
            try Libvirt.string("Reading the XML of network \(name)") { virNetworkGetXMLDesc(network, 0) }
        }
    }

    /// The vmfile metadata attributes, or nil when vmfile did not make this network.
    public func vmfileMetadata() throws(HypervisorError) -> [String: String]? {
        NetworkXML.parseMetadata(try xml())
    }

    /// The network's IPv4 subnets (to compare with a spec before reusing it).
    public func ipv4Subnets() throws(HypervisorError) -> [IPv4Network] {
        NetworkXML.ipv4Subnets(in: try xml())
    }

    /// The network's DHCP reservations (live when active).
    public func dhcpHosts() throws(HypervisorError) -> [DHCPHost] {
        NetworkXML.dhcpHosts(in: try xml())
    }

    /// The bridge interface name.
    public func bridgeName() throws(HypervisorError) -> String {
        try withPointer { network throws(HypervisorError) in
            try Libvirt.string("Reading the bridge of network \(name)") { virNetworkGetBridgeName(network) }
        }
    }

    /// Starts the network; an already active network is fine.
    public func start() throws(HypervisorError) {
        try withPointer { network throws(HypervisorError) in
            if virNetworkCreate(network) < 0 {
                let error = Libvirt.lastError("Starting network \(name)", hint: "Check for a bridge or subnet clash with `ip -4 addr`")
                if error.code == .operationInvalid, virNetworkIsActive(network) == 1 { return }
                throw error
            }
        }
    }

    /// Stops the network (bridge down); it stays defined. An inactive network is fine.
    public func stop() throws(HypervisorError) {
        try withPointer { network throws(HypervisorError) in
            if virNetworkDestroy(network) < 0 {
                let error = Libvirt.lastError("Stopping network \(name)")
                if error.code == .operationInvalid, virNetworkIsActive(network) == 0 { return }
                throw error
            }
        }
    }

    /// Stops and undefines the network; missing or inactive is fine.
    public func delete() throws(HypervisorError) {
        try withPointer { network throws(HypervisorError) in
            if virNetworkIsActive(network) == 1, virNetworkDestroy(network) < 0 {
                let error = Libvirt.lastError("Stopping network \(name)", hint: "Stop the domains still attached to it first")
                if !(error.isNotFound || error.code == .operationInvalid) { throw error }
            }
            if virNetworkIsPersistent(network) == 1, virNetworkUndefine(network) < 0 {
                let error = Libvirt.lastError("Undefining network \(name)")
                if !error.isNotFound { throw error }
            }
        }
    }

    /// Current DHCP leases, optionally only for `mac`.
    public func leases(mac: String? = nil) throws(HypervisorError) -> [DHCPLease] {
        try withPointer { network throws(HypervisorError) in
            var list: UnsafeMutablePointer<virNetworkDHCPLeasePtr?>?
            let count = try Libvirt.check("Reading DHCP leases of network \(name)") {
                virNetworkGetDHCPLeases(network, mac?.lowercased(), &list, 0)
            }
            defer {
                for index in 0..<Int(count) { virNetworkDHCPLeaseFree(list?[index]) }
                free(list)
            }
            var leases: [DHCPLease] = []
            for index in 0..<Int(count) {
                guard let lease = list?[index]?.pointee else { continue }
                leases.append(DHCPLease(
                    mac: lease.mac.map { String(cString: $0).lowercased() } ?? "",
                    ip: lease.ipaddr.map { String(cString: $0) } ?? "",
                    prefix: Int(lease.prefix),
                    hostname: lease.hostname.map { String(cString: $0) },
                    expiry: Int64(lease.expirytime),
                    interface: lease.iface.map { String(cString: $0) } ?? ""
                ))
            }
            return leases
        }
    }

    /// Polls leases every `interval` until one for `mac` appears; returns it.
    /// - Throws: `.timeout` when none appears within `timeout`.
    public func waitForLease(mac: String, timeout: Duration, interval: Duration = .milliseconds(100)) async throws -> DHCPLease {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let lease = try leases(mac: mac).first(where: { !$0.ip.isEmpty }) { return lease }
            if clock.now >= deadline {
                throw HypervisorError(.timeout, "Waiting for a DHCP lease for \(mac) on network \(name): none after \(timeout). Check that the guest's network comes up (serial log)")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Adds a DHCP reservation to the running network and its persistent config.
    public func addDHCPHost(_ host: DHCPHost) throws(HypervisorError) {
        try update(command: VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, host: host, doing: "Adding DHCP reservation \(host.mac) → \(host.ip) to")
    }

    /// Removes a DHCP reservation (matched by MAC and IP) from the running network and its config.
    public func removeDHCPHost(_ host: DHCPHost) throws(HypervisorError) {
        try update(command: VIR_NETWORK_UPDATE_COMMAND_DELETE, host: host, doing: "Removing DHCP reservation \(host.mac) → \(host.ip) from")
    }

    private func update(command: virNetworkUpdateCommand, host: DHCPHost, doing: String) throws(HypervisorError) {
        try withPointer { network throws(HypervisorError) in
            var flags = VIR_NETWORK_UPDATE_AFFECT_CONFIG.rawValue
            if virNetworkIsActive(network) == 1 { flags |= VIR_NETWORK_UPDATE_AFFECT_LIVE.rawValue }
            try Libvirt.check("\(doing) network \(name)") {
                virNetworkUpdate(network, command.rawValue, VIR_NETWORK_SECTION_IP_DHCP_HOST.rawValue, -1, host.xml, flags)
            }
        }
    }
}

extension LibvirtConnection {
    /// The network called `name`.
    /// - Throws: `.noNetwork` when there is none.
    public func network(named name: String) throws(HypervisorError) -> Network {
        try withPointer { connection throws(HypervisorError) in
            let raw = try Libvirt.pointer("Looking up network \(name) on \(uri)") { virNetworkLookupByName(connection, name) }
            return Network(adopting: raw, connection: self)
        }
    }

    /// The network called `name`, or nil.
    public func networkIfPresent(named name: String) throws(HypervisorError) -> Network? {
        do { return try network(named: name) } catch where error.isNotFound { return nil }
    }

    /// All networks, active and inactive.
    public func listAllNetworks() throws(HypervisorError) -> [Network] {
        try withPointer { connection throws(HypervisorError) in
            var list: UnsafeMutablePointer<OpaquePointer?>?
            let count = try Libvirt.check("Listing networks on \(uri)") { virConnectListAllNetworks(connection, &list, 0) }
            defer { free(list) }
            return (0..<Int(count)).compactMap { index in list?[index].map { Network(adopting: $0, connection: self) } }
        }
    }

    /// Defines (persistently) a network from `spec` without starting it.
    @discardableResult
    public func defineNetwork(_ spec: NetworkSpec) throws(HypervisorError) -> Network {
        try defineNetwork(xml: NetworkXML.make(spec), description: "\(spec.name) (\(spec.subnet), bridge \(spec.bridge))")
    }

    /// Defines (persistently) a network from raw XML without starting it.
    @discardableResult
    public func defineNetwork(xml: String, description: String = "from XML") throws(HypervisorError) -> Network {
        try withPointer { connection throws(HypervisorError) in
            let raw = try Libvirt.pointer("Defining network \(description)") { virNetworkDefineXML(connection, xml) }
            return Network(adopting: raw, connection: self)
        }
    }

    /// Returns the running network for `spec`, defining and starting it when needed. Idempotent and
    /// safe against a concurrent creator.
    ///
    /// An existing network is reused only if it carries vmfile metadata; it is not redefined when the
    /// spec changed (the caller compares and recreates if it must).
    /// - Throws: `.notOwned` when a network with that name exists but was not made by vmfile.
    @discardableResult
    public func ensureNetwork(_ spec: NetworkSpec, autostart: Bool = true) throws(HypervisorError) -> Network {
        var network = try networkIfPresent(named: spec.name)
        if network == nil {
            do {
                network = try defineNetwork(spec)
            } catch {
                // A concurrent creator may have defined it first.
                guard let existing = try networkIfPresent(named: spec.name) else { throw error }
                network = existing
            }
        }
        guard let network else {
            throw HypervisorError(.noNetwork, "Network \(spec.name) vanished while vmfile was creating it; run the command again")
        }
        guard try network.vmfileMetadata() != nil else {
            throw HypervisorError(.notOwned, "Network \(spec.name) exists on \(uri) but was not created by vmfile. Rename it or remove it with `virsh net-destroy \(spec.name); virsh net-undefine \(spec.name)`")
        }
        if autostart { _ = network.withPointer { virNetworkSetAutostart($0, 1) } }
        try network.start()
        return network
    }

    /// IPv4 subnets of all defined libvirt networks (to avoid clashes when picking a new one).
    public func networkSubnets() throws(HypervisorError) -> [IPv4Network] {
        try listAllNetworks().flatMap { network in (try? network.ipv4Subnets()) ?? [] }
    }
}
