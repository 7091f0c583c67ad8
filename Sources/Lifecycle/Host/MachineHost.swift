import Boxes
import Foundation
import Net
import Spec

/// What the lifecycle needs from the hypervisor, in its own terms: one protocol per concern, composed.
///
/// `LibvirtMachineHost` implements it on libvirt; unit tests use an in-memory fake. Every call is
/// synchronous and may block: callers run machines on their own threads (see `Parallel`).
public protocol MachineHost: MachineDomains, MachineStorage, MachineNetworks, MachineSnapshots {}

/// Domains: defining, powering, reading their state, and what the host can run in them.
public protocol MachineDomains: Sendable {
    /// The domain's state, or nil when no domain has that name.
    func domainState(_ domain: String) throws -> DomainStatus?
    /// The domain's state once no operation is in flight on it (a start half-way, a job), waiting for
    /// one to finish: what another caller — often a killed vmfile whose call libvirtd still carries
    /// out — is doing is not a state to act on. Nil when no domain has that name.
    func settledDomainState(_ domain: String) throws -> DomainStatus?
    /// Defines (persistently) the domain described by `plan`.
    func defineDomain(_ plan: DomainPlan) throws
    func start(_ domain: String) throws
    /// Asks the guest to power off (ACPI power button).
    func requestShutdown(_ domain: String) throws
    /// Pulls the plug.
    func forceOff(_ domain: String) throws
    func suspend(_ domain: String) throws
    func resume(_ domain: String) throws
    /// Undefines the domain (with its snapshot metadata); no error if it does not exist.
    func undefine(_ domain: String) throws
    /// Every domain on the connection that carries vmfile metadata.
    func vmfileDomains() throws -> [DomainRecord]
    /// One line to show once when the accelerator is not the fast one (e.g. TCG instead of KVM).
    var acceleratorWarning: String? { get }
    /// Refuses, before anything is made, a synced folder type this host or connection cannot serve
    /// (NFS without a kernel NFS server, virtiofs on a session daemon or without virtiofsd).
    func requireSharedFolderSupport(_ kind: SyncedFolder.Kind, machine: String, guest: String) throws
}

/// The vmfile storage pool: box volumes and machine disks.
public protocol MachineStorage: Sendable {
    /// Makes sure the box's image is a volume in the vmfile pool (imported once per box version,
    /// shared by all projects) and returns that volume's name.
    func prepareBoxVolume(_ box: InstalledBox) throws -> String
    /// Whether a volume with this name exists in the vmfile pool.
    func volumeExists(_ volume: String) throws -> Bool
    /// Creates a copy-on-write disk backed by `backingVolume`, at least `sizeBytes` large.
    func createDisk(_ volume: String, backingVolume: String, sizeBytes: UInt64?) throws
    /// Deletes the volume; no error if it does not exist.
    func deleteVolume(_ volume: String) throws
}

/// Networks and ports: the management network, private networks, leases and forwarded ports.
public protocol MachineNetworks: Sendable {
    /// Makes sure the shared management network exists and is active; returns its name.
    func prepareManagementNetwork() throws -> String
    /// The IPv4 address the network's DHCP server leased to `mac`, if any.
    func leasedAddress(mac: String, network: String) throws -> String?
    /// Makes sure the project's private network `plan` describes exists and is active, and that it
    /// reserves `machine`'s static address as the plan says now (a reservation of its MAC or address
    /// that differs is replaced); refuses a network vmfile did not make and a subnet that overlaps the host's.
    func preparePrivateNetwork(_ plan: PrivateNetworkPlan, for machine: String) throws
    /// Checks that Open vSwitch networks can be made here (a local connection, ovs-vsctl reaching
    /// running ovsdb-server and ovs-vswitchd), so `up` fails before it creates anything.
    func requireOpenVSwitch() throws
    /// Deletes the private network `name` unless a vmfile domain still has a NIC on it; when one
    /// does, removes the DHCP reservation of the departing NIC `mac` instead.
    func releasePrivateNetwork(_ name: String, mac: String) throws -> NetworkRelease
    /// Installs forwarded ports on the machine's host; nil when this host cannot (remote libvirt,
    /// session mode, where QEMU forwards them itself).
    var portForwarder: (any PortForwarder)? { get }
    /// How machines' first NIC reaches the host.
    var managementMode: ManagementMode { get }
    /// The host forwards of a user-mode domain's management NIC, read from its definition (the live
    /// one while it runs); empty when it has none.
    func userModeForwards(_ domain: String) throws -> [GuestForward]
    /// Whether a socket could bind `endpoint` on the host QEMU runs on (for user-mode forwards).
    func availability(of endpoint: HostEndpoint) -> PortAvailability
    /// Replaces the host forwards in a defined, not running user-mode domain's definition.
    func setUserModeForwards(_ domain: String, _ forwards: [GuestForward]) throws
}

/// A domain's internal snapshots.
public protocol MachineSnapshots: Sendable {
    /// Names of the domain's snapshots; empty when it has none or does not exist.
    func snapshotNames(_ domain: String) throws -> [String]
    /// Takes internal snapshot `name` of the domain's disk, with its memory when it runs or is paused.
    func createSnapshot(_ domain: String, name: String) throws
    /// Reverts the domain to snapshot `name` and leaves it as `target` says.
    func revertSnapshot(_ domain: String, name: String, to target: SnapshotRevert) throws
    /// Deletes snapshot `name` of the domain; no error when there is none.
    func deleteSnapshot(_ domain: String, name: String) throws
}

extension MachineHost {
    /// Hosts that share no files (test fakes) accept every type.
    public func requireSharedFolderSupport(_ kind: SyncedFolder.Kind, machine: String, guest: String) throws {}
}

/// How a domain is left after a revert to a snapshot.
public enum SnapshotRevert: String, Sendable, Equatable {
    /// As the snapshot recorded it (running, paused or shut off).
    case asSaved
    /// Running (a memory snapshot taken while vmfile had paused the machine).
    case running
    /// Paused, memory loaded (a group restore resumes its machines together).
    case paused
}

/// How machines' first (management) NIC reaches the host.
public enum ManagementMode: String, Sendable, Equatable {
    /// The shared libvirt NAT network `vmfile-mgmt` (system connections): the guest has an address
    /// the host reaches; forwarded ports are kernel rules.
    case network
    /// QEMU user-mode networking (session connections, no root): the host reaches the guest only
    /// through ports QEMU forwards from 127.0.0.1, SSH included.
    case userMode
}

/// A host port forwarded into the guest by QEMU's user-mode networking.
public struct GuestForward: Sendable, Equatable {
    public var host: HostEndpoint
    public var guestPort: Int

    public init(host: HostEndpoint, guestPort: Int) {
        self.host = host
        self.guestPort = guestPort
    }
}

/// What releasing a machine's private network did.
public enum NetworkRelease: Sendable, Equatable {
    /// No machine was left on it: it is gone.
    case deleted
    /// Other machines still use it; the departing NIC's reservation was removed (its address), if it had one.
    case kept(removedReservation: String?)
    /// There was no such network (or not one of vmfile's).
    case absent
}

/// A domain's run state, as far as the lifecycle cares.
public enum DomainStatus: String, Sendable, Codable {
    case running, paused, shutoff, crashed, suspendedToDisk = "saved", other
}

/// Everything needed to define a machine's domain.
public struct DomainPlan: Sendable, Equatable {
    public var name: String
    public var cpus: Int
    public var memoryMiB: Int
    public var diskVolume: String
    /// Management network and the NIC's MAC address on it.
    public var managementNetwork: String
    public var managementMAC: String
    public var consoleLog: URL
    public var metadata: MachineMetadata
    /// NICs after the management one, in Vmfile order.
    public var networks: [NetworkAttachment] = []
    /// The hostname the guest is offered at boot (SMBIOS), before vmfile sets it over SSH.
    public var hostname: String?
    /// Set in user mode: the management NIC is QEMU user-mode networking with these forwards (SSH
    /// first), and `managementNetwork` is not used.
    public var userModeForwards: [GuestForward]?
    /// Host directories shared as devices (virtiofs, 9p synced folders), mounted by tag after boot.
    public var sharedDirectories: [SharedDirectory] = []

    public init(name: String, cpus: Int, memoryMiB: Int, diskVolume: String, managementNetwork: String,
                managementMAC: String, consoleLog: URL, metadata: MachineMetadata) {
        self.name = name
        self.cpus = cpus
        self.memoryMiB = memoryMiB
        self.diskVolume = diskVolume
        self.managementNetwork = managementNetwork
        self.managementMAC = managementMAC
        self.consoleLog = consoleLog
        self.metadata = metadata
    }
}

/// What vmfile records in each domain's XML `<metadata>`, so libvirt alone can say what a domain is.
public struct MachineMetadata: Sendable, Equatable, Codable {
    /// Absolute path of the project's Vmfile.
    public var projectPath: String
    public var projectID: String
    public var machine: String
    public var box: String
    public var boxVersion: String
    /// MAC of the management NIC (to find the guest's lease).
    public var managementMAC: String
    /// libvirt networks of the machine's other NICs (a network goes when no domain names it).
    public var networks: [String] = []

    public init(projectPath: String, projectID: String, machine: String, box: String, boxVersion: String,
                managementMAC: String, networks: [String] = []) {
        self.networks = networks
        self.projectPath = projectPath
        self.projectID = projectID
        self.machine = machine
        self.box = box
        self.boxVersion = boxVersion
        self.managementMAC = managementMAC
    }
}

/// A NIC after the management one, with its fixed MAC.
public struct NetworkAttachment: Sendable, Equatable {
    /// What `network` names.
    public enum Kind: Sendable, Equatable {
        /// A libvirt network.
        case network
        /// An existing host bridge.
        case bridge
        /// macvtap on a host device, in this mode (`bridge`, `vepa`, `private`).
        case direct(mode: String)
    }

    public var network: String
    public var mac: String
    public var kind: Kind

    public init(network: String, mac: String, kind: Kind = .network) {
        self.network = network
        self.mac = mac
        self.kind = kind
    }
}

/// A vmfile domain found on the connection.
public struct DomainRecord: Sendable, Equatable {
    public var name: String
    public var status: DomainStatus
    public var metadata: MachineMetadata

    public init(name: String, status: DomainStatus, metadata: MachineMetadata) {
        self.name = name
        self.status = status
        self.metadata = metadata
    }
}

extension MachineHost {
    /// Hosts without operations in flight (fakes) settle at once.
    public func settledDomainState(_ domain: String) throws -> DomainStatus? {
        try domainState(domain)
    }
}
