import Foundation
import Hypervisor
import Net

/// What one build makes on the host — network, pool volumes, domain, work directory — under its
/// deterministic names, and how it all goes again. Removal tolerates objects that are half made or gone.
final class BuildResources: @unchecked Sendable {
    let connection: LibvirtConnection
    let plan: BuildPlan
    /// The guest's address once known (for the message about a kept build).
    private(set) var guestIP: String?

    init(connection: LibvirtConnection, plan: BuildPlan) {
        self.connection = connection
        self.plan = plan
    }

    /// `/var/tmp/vmfile-build-<id>`: console log and scratch files; the daemon's QEMU and virtlogd reach it.
    var workDirectory: String { "/var/tmp/\(plan.name)" }

    /// Removes what an earlier run of this build left; true when there was something.
    func removeLeftovers() throws -> Bool {
        var found = false
        if let domain = try connection.domainIfPresent(named: plan.name) {
            found = true
            try domain.destroy()
            try domain.undefine()
        }
        if let pool = try? connection.storagePool(named: StoragePool.defaultName) {
            _ = try? pool.refresh()
            for volume in [plan.isoVolume, plan.cdVolume, plan.diskVolume] {
                if try pool.removeAbandonedImports(of: volume) { found = true }
                if try pool.volumeIfPresent(named: volume) != nil {
                    found = true
                    try pool.deleteVolume(named: volume)
                }
            }
        }
        if let network = try connection.networkIfPresent(named: plan.name) {
            found = true
            try network.delete()
        }
        if FileManager.default.fileExists(atPath: workDirectory) {
            found = true
            try FileManager.default.removeItem(atPath: workDirectory)
        }
        return found
    }

    func makeWorkDirectory() throws -> String {
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        return workDirectory
    }

    /// The isolated build network on a /24 no route or libvirt network uses; DHCP on, no forwarding, so
    /// the guest reaches only this host.
    func makeNetwork(metadata: [String: String]) throws -> Network {
        let used = SubnetPlanner.hostRoutes() + (try connection.networkSubnets())
        guard let subnet = SubnetPlanner.firstFree(BuildPlan.subnetCandidates, avoiding: used) else {
            throw BuilderError(.hypervisor, "no free subnet for the build network among \(BuildPlan.subnetCandidates.first ?? "")…",
                               hint: "remove unused libvirt networks (`virsh net-list --all`)")
        }
        let spec = try NetworkSpec(name: plan.name, bridge: plan.bridge, cidr: subnet.description, mode: .isolated, metadata: metadata)
        return try connection.ensureNetwork(spec, autostart: false)
    }

    /// The guest's address from the build network's DHCP leases for its MAC, polled every 100 ms.
    func waitForLease(network: Network, until deadline: Date, console: ConsoleLog) throws -> String {
        while true {
            let leases = try network.leases(mac: plan.mac).filter { !$0.ip.isEmpty }
            if let lease = leases.max(by: { $0.expiry < $1.expiry }) {
                guestIP = lease.ip
                return lease.ip
            }
            if Date() >= deadline {
                throw BuilderError(.timeout, "the installed system got no DHCP lease on \(plan.name) for \(plan.mac); the console's last lines:\n\(ConsoleLog.quoted(console.tail()))",
                                   hint: "the installed system must bring up its network with DHCP")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Removes the domain, the volumes, the network and the work directory; never throws (each is tried).
    func removeAll() {
        if let domain = try? connection.domainIfPresent(named: plan.name) {
            try? domain.destroy()
            try? domain.undefine()
        }
        if let pool = try? connection.storagePool(named: StoragePool.defaultName) {
            for volume in [plan.isoVolume, plan.cdVolume, plan.diskVolume] {
                try? pool.deleteVolume(named: volume)
                _ = try? pool.removeAbandonedImports(of: volume)
            }
        }
        if let network = try? connection.networkIfPresent(named: plan.name) { try? network.delete() }
        try? FileManager.default.removeItem(atPath: workDirectory)
    }
}
