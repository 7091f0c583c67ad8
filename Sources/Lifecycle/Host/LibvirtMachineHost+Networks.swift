import Foundation
import Hypervisor
import Net

/// Networks on libvirt: the management network, private networks (Linux bridge or Open vSwitch), their
/// DHCP reservations and leases.
extension LibvirtMachineHost {
    public func prepareManagementNetwork() throws -> String {
        if let existing = try connection.networkIfPresent(named: ManagementNetwork.name), try existing.isActive() {
            return ManagementNetwork.name
        }
        let lock = try hostWideLock("network-\(ManagementNetwork.name).lock", purpose: "the management network")
        defer { lock.release() }
        if let existing = try connection.networkIfPresent(named: ManagementNetwork.name) {
            guard try existing.vmfileMetadata() != nil else {
                throw LifecycleError(.hypervisor, "libvirt network \(ManagementNetwork.name) exists but was not made by vmfile",
                                     hint: "rename or remove it: virsh net-destroy \(ManagementNetwork.name); virsh net-undefine \(ManagementNetwork.name)")
            }
            try existing.start()
            return ManagementNetwork.name
        }
        let used = SubnetPlanner.hostRoutes() + (try connection.networkSubnets())
        guard let subnet = SubnetPlanner.firstFree(SubnetPlanner.managementCandidates, avoiding: used) else {
            throw LifecycleError(.hypervisor, "no free 192.168.x.0/24 subnet for the management network \(ManagementNetwork.name)",
                                 hint: "remove unused libvirt networks (`virsh net-list --all`)")
        }
        let spec = try NetworkSpec(name: ManagementNetwork.name, bridge: ManagementNetwork.bridge, cidr: subnet.description,
                                   mode: .nat, metadata: ["role": "management"])
        _ = try connection.ensureNetwork(spec)
        return ManagementNetwork.name
    }

    public func preparePrivateNetwork(_ plan: PrivateNetworkPlan, for machine: String) throws {
        let wanted = plan.reservations.first { $0.machine == machine }.map { DHCPHost(mac: $0.mac, ip: $0.ip, name: $0.machine) }
        // One creator per network on this host, however many machines ask at once.
        let lock = try hostWideLock("network-\(plan.name).lock", purpose: "network \(plan.name)")
        defer { lock.release() }
        if plan.openvswitch { return try prepareOpenVSwitchNetwork(plan) }
        if let existing = try connection.networkIfPresent(named: plan.name) {
            if let problem = PrivateNetworkReuse.problem(plan, metadata: try existing.vmfileMetadata(), subnets: try existing.ipv4Subnets()) {
                throw problem
            }
            if !(try existing.isActive()) { try existing.start() }
            if let wanted {
                let changes = Self.reservationChanges(existing: try existing.dhcpHosts(), wanted: wanted)
                for stale in changes.remove { try existing.removeDHCPHost(stale) }
                if let add = changes.add { try existing.addDHCPHost(add) }
            }
            return
        }
        let used = SubnetPlanner.hostRoutes() + (try connection.networkSubnets())
        if let clash = plan.overlap(in: used) {
            throw LifecycleError(.networkConflict, "network '\(plan.definition)' (\(plan.subnet)) overlaps \(clash), already routed on this host or used by a libvirt network",
                                 hint: "choose another cidr for '\(plan.definition)' in the Vmfile (`ip route` and `virsh net-list --all` show what is taken)")
        }
        let spec = try NetworkSpec(
            name: plan.name, bridge: plan.bridge, cidr: plan.subnet.description, dhcp: plan.dhcpRange != nil,
            dhcpRange: plan.dhcpRange, mode: plan.nat ? .nat : .isolated,
            hosts: wanted.map { [$0] } ?? [],
            metadata: ["role": "private", "network": plan.definition])
        _ = try connection.ensureNetwork(spec)
    }

    /// An Open vSwitch network: the OVS bridge vmfile makes (and marks as this network's), and a libvirt
    /// network that plugs guests into it with the plan's VLAN tag. A bridge made here goes again when
    /// the libvirt network cannot be defined.
    func prepareOpenVSwitchNetwork(_ plan: PrivateNetworkPlan) throws {
        let ovs = OpenVSwitch()
        if let existing = try connection.networkIfPresent(named: plan.name) {
            if let problem = PrivateNetworkReuse.problem(plan, metadata: try existing.vmfileMetadata(), subnets: nil) { throw problem }
            try Self.switchError(plan) { try ovs.ensureBridge(plan.bridge, owner: plan.name) }
            if !(try existing.isActive()) { try existing.start() }
            return
        }
        let created = try Self.switchError(plan) { try ovs.ensureBridge(plan.bridge, owner: plan.name) }
        do {
            let spec = try NetworkSpec(
                name: plan.name, bridge: plan.bridge, cidr: plan.subnet.description, dhcp: false, mode: .isolated,
                metadata: PrivateNetworkReuse.switchMetadata(plan).merging(["role": "private", "network": plan.definition,
                                                             "datapath": ovs.datapathType]) { $1 },
                switch: .openvswitch(vlan: plan.vlan))
            _ = try connection.ensureNetwork(spec)
        } catch {
            if created { _ = try? ovs.deleteBridge(plan.bridge, owner: plan.name) }
            throw error
        }
    }

    public func requireOpenVSwitch() throws {
        guard connection.uriInfo.isLocal, !connection.uriInfo.isSession, geteuid() == 0 else {
            throw LifecycleError(.unavailable, "Open vSwitch networks (`switch: ovs`) need a local system connection as root; this is \(connection.uri)",
                                 hint: "run vmfile as root on the libvirt host, or use `switch: bridge`")
        }
        try Self.switchError(nil) { try OpenVSwitch().checkAvailable() }
    }

    static func switchError<T>(_ plan: PrivateNetworkPlan?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as NetError {
            let prefix = plan.map { "network '\($0.definition)': " } ?? ""
            throw LifecycleError(.unavailable, prefix + error.message, hint: error.hint)
        }
    }

    /// The reservation changes that make `existing` hold `wanted`: entries with its MAC or its address
    /// that differ go (stale: a changed `ip:`, or a machine destroyed before reservations were
    /// released; validation keeps static addresses unique per network), then `wanted` is added if missing.
    static func reservationChanges(existing: [DHCPHost], wanted: DHCPHost) -> (remove: [DHCPHost], add: DHCPHost?) {
        let stale = existing.filter { ($0.mac == wanted.mac || $0.ip == wanted.ip) && $0 != wanted }
        return (stale, existing.contains(wanted) ? nil : wanted)
    }

    public func releasePrivateNetwork(_ name: String, mac: String) throws -> NetworkRelease {
        let lock = try hostWideLock("network-\(name).lock", purpose: "network \(name)")
        defer { lock.release() }
        guard let network = try connection.networkIfPresent(named: name), try network.vmfileMetadata() != nil else { return .absent }
        let inUse = try connection.listVmfileDomains().contains { entry in
            MachineMetadata(fields: entry.metadata).networks.contains(name)
        }
        guard inUse else {
            let metadata = try network.vmfileMetadata() ?? [:]
            let bridge = try? network.bridgeName()
            try network.delete()
            if metadata["switch"] == "ovs", let bridge {
                try Self.switchError(nil) { try OpenVSwitch().deleteBridge(bridge, owner: name) }
            }
            return .deleted
        }
        let departing = try network.dhcpHosts().filter { $0.mac == mac.lowercased() }
        for host in departing { try network.removeDHCPHost(host) }
        return .kept(removedReservation: departing.first?.ip.description)
    }

    public func leasedAddress(mac: String, network: String) throws -> String? {
        guard let found = try connection.networkIfPresent(named: network) else { return nil }
        return try found.leases(mac: mac).max { $0.expiry < $1.expiry }?.ip
    }
}
