import Boxes
import Foundation
import HostSupport
import Provisioner
import Spec

/// Drives one project's machines through their lifecycle. Every operation reconciles with what
/// libvirt reports instead of assuming, so a rerun after a killed run converges.
public struct MachineController: Sendable {
    public let project: Project
    public let host: any MachineHost
    public let guests: any GuestConnector
    public let boxes: BoxStore
    public let reporter: any LifecycleReporter

    public init(project: Project, host: any MachineHost, guests: any GuestConnector, boxes: BoxStore,
                reporter: any LifecycleReporter) {
        self.project = project
        self.host = host
        self.guests = guests
        self.boxes = boxes
        self.reporter = reporter
    }

    /// How often waits poll libvirt (leases, domain state).
    static let pollInterval: TimeInterval = 0.1

    /// The MAC address of `machine`'s management NIC: derived from the domain name, so it is the
    /// same on every run and the guest's lease can be found again.
    func managementMAC(of machine: String) -> String {
        let hash = StableHash.fnv1a(project.domainName(of: machine))
        let bytes = [(hash >> 16) & 0x7f, (hash >> 8) & 0xff, hash & 0xff]
        return "52:54:00:" + bytes.map { StableHash.hex($0, digits: 2) }.joined(separator: ":")
    }

    /// The state of `machine` as libvirt reports it; nil when it was never created.
    public func status(of machine: Machine) throws -> DomainStatus? {
        try host.domainState(project.domainName(of: machine.name))
    }

    /// The guest's current management address, if it holds a lease.
    public func address(of machine: Machine) throws -> String? {
        try host.leasedAddress(mac: managementMAC(of: machine.name), network: ManagementNetwork.name)
    }
}

/// The shared NAT network every machine's first NIC sits on (like vagrant-libvirt's).
public enum ManagementNetwork {
    public static let name = "vmfile-mgmt"
    public static let bridge = "vmfile-mgmt0"
}
