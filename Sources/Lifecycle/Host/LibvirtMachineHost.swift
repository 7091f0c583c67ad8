import Boxes
import Foundation
import HostSupport
import Hypervisor
import Net
import Spec

/// `MachineHost` on a real libvirt connection: the vmfile storage pool, the shared management
/// network, and one persistent domain per machine.
public final class LibvirtMachineHost: MachineHost, @unchecked Sendable {
    // Sendable: libvirt connections are thread-safe; `pool` is guarded by `poolLock`.
    public let connection: LibvirtConnection
    private let accelerator: AcceleratorChoice?
    private let lockDirectory: URL
    private let emulator: String?
    private let poolLock = NSLock()
    private var cachedPool: StoragePool?

    /// - Parameters:
    ///   - accelerator: how domains defined through this host run; nil for read-only uses (status).
    ///   - lockDirectory: where host-wide locks live (box imports, network creation).
    ///   - emulator: the QEMU binary domains run (`VMFILE_EMULATOR`); nil for libvirt's default.
    public init(connection: LibvirtConnection, accelerator: AcceleratorChoice?, lockDirectory: URL, emulator: String? = nil) {
        self.connection = connection
        self.accelerator = accelerator
        self.lockDirectory = lockDirectory
        self.emulator = emulator
    }

    /// Forwarded ports are kernel rules on this machine: only a local system connection run as root
    /// gets them (a session daemon's guests sit behind user-mode networking, and nft needs root).
    public var portForwarder: (any PortForwarder)? {
        connection.uriInfo.isLocal && !connection.uriInfo.isSession && geteuid() == 0 ? NFTablesPortForwarder() : nil
    }

    /// User-mode networking on session connections: a session daemon cannot create the bridges and
    /// tap devices a libvirt network needs.
    public var managementMode: ManagementMode {
        connection.uriInfo.isSession ? .userMode : .network
    }

    public func userModeForwards(_ domain: String) throws -> [GuestForward] {
        guard let found = try connection.domainIfPresent(named: domain) else { return [] }
        return DomainXML.userForwards(in: try found.xml()).map(Self.guestForward)
    }

    /// Probed here on a local connection; a remote session's QEMU binds on its own host, where only
    /// its start can tell (libvirt then reports QEMU's "Could not set up host forwarding rule").
    public func availability(of endpoint: HostEndpoint) -> PortAvailability {
        guard connection.uriInfo.isLocal else { return .free }
        // Root's DNAT rules hold no socket, so a bind alone would hand out their ports.
        if ForwardedPortRegistry().isForwarded(endpoint) { return .inUse }
        return PortProbe.availability(of: endpoint)
    }

    public func setUserModeForwards(_ domain: String, _ forwards: [GuestForward]) throws {
        let xml = try connection.domain(named: domain).xml(inactive: true)
        guard let updated = DomainXML.replacingUserForwards(in: xml, with: forwards.map(Self.userForward)) else {
            throw LifecycleError(.hypervisor, "domain \(domain) has no user-mode management NIC written by vmfile",
                                 hint: "it was made by another vmfile version or in system mode: `vmfile destroy` it and `vmfile up` again")
        }
        _ = try connection.defineDomain(xml: updated, name: domain)
    }

    static func userForward(_ forward: GuestForward) -> UserForward {
        UserForward(protocol: forward.host.protocol, hostAddress: forward.host.address, hostPort: forward.host.port,
                    guestPort: forward.guestPort)
    }

    static func guestForward(_ forward: UserForward) -> GuestForward {
        GuestForward(host: HostEndpoint(protocol: forward.protocol, address: forward.hostAddress, port: forward.hostPort),
                     guestPort: forward.guestPort)
    }

    public var acceleratorWarning: String? {
        guard let accelerator, accelerator.shouldWarn else { return nil }
        return accelerator.reason
    }

    func pool() throws -> StoragePool {
        poolLock.lock()
        defer { poolLock.unlock() }
        if let cachedPool { return cachedPool }
        let pool = try connection.ensureStoragePool()
        cachedPool = pool
        return pool
    }

    func hostWideLock(_ name: String, purpose: String) throws -> FileLock {
        try FileLock.acquire(at: lockDirectory.appendingPathComponent(name).path, policy: .wait(onWait: { _ in }),
                             purpose: purpose)
    }

    public func domainState(_ domain: String) throws -> DomainStatus? {
        guard let found = try connection.domainIfPresent(named: domain) else { return nil }
        return DomainStatus(try found.state())
    }

    public func settledDomainState(_ domain: String) throws -> DomainStatus? {
        guard let found = try connection.domainIfPresent(named: domain) else { return nil }
        return DomainStatus(try found.settledState())
    }

    public func prepareBoxVolume(_ box: InstalledBox) throws -> String {
        let name = Self.boxVolumeName(box, digest: try box.imageDigest())
        let pool = try pool()
        if try pool.volumeIfPresent(named: name) != nil { return name }
        // One import per box version on this host, however many projects ask at once.
        let lock = try hostWideLock("box-\(name).lock", purpose: "the import of box \(box.name) \(box.version)")
        defer { lock.release() }
        if try pool.volumeIfPresent(named: name) == nil {
            do {
                try pool.importVolume(name: name, fromFile: box.imageURL.path, format: .qcow2)
            } catch {
                // Another vmfile (with another VMFILE_HOME, so another lock) published the same content
                // first; imports publish atomically, so the volume it made is complete.
                guard error.code == .storageVolumeExists else { throw error }
                try pool.refresh()
            }
        }
        return name
    }

    /// The pool volume of `box` (see `VolumeNames.box`).
    static func boxVolumeName(_ box: InstalledBox, digest: String) -> String {
        VolumeNames.box(name: box.name, version: box.version.description, digest: digest)
    }

    /// Runs an Open vSwitch call, turning its `NetError` into a `LifecycleError` naming the network.
    @discardableResult

    public func volumeExists(_ volume: String) throws -> Bool {
        try pool().volumeIfPresent(named: volume) != nil
    }

    public func createDisk(_ volume: String, backingVolume: String, sizeBytes: UInt64?) throws {
        let pool = try pool()
        let backing = try pool.volume(named: backingVolume)
        do {
            _ = try pool.createOverlay(name: volume, backing: backing, virtualSize: sizeBytes)
        } catch where error.code == .storageVolumeExists {
            // A killed run's create finished after our lookup; that disk never booted a guest.
            try pool.volumeIfPresent(named: volume)?.delete()
            _ = try pool.createOverlay(name: volume, backing: backing, virtualSize: sizeBytes)
        }
    }

    public func defineDomain(_ plan: DomainPlan) throws {
        guard let accelerator else {
            throw LifecycleError(.hypervisor, "internal: a read-only host cannot define domains")
        }
        let diskPath = try pool().volume(named: plan.diskVolume).path()
        let metadata = plan.metadata
        let management = plan.userModeForwards.map { NICSpec(source: .user(forwards: $0.map(Self.userForward)), mac: plan.managementMAC) }
            ?? NICSpec(network: plan.managementNetwork, mac: plan.managementMAC)
        var spec = try DomainSpec(
            name: plan.name, memoryMiB: plan.memoryMiB, cpus: plan.cpus, accelerator: accelerator.accelerator,
            diskPath: diskPath,
            nics: [management] + plan.networks.map(nic),
            serialLogPath: plan.consoleLog.path,
            metadata: metadata.fields)
        spec.hostname = plan.hostname
        spec.emulator = emulator
        spec.filesystems = plan.sharedDirectories.map(filesystem)
        // 9p in passthrough mode creates files with the owners the guest sets: QEMU must be root.
        spec.qemuAsRoot = !connection.uriInfo.isSession && plan.sharedDirectories.contains { $0.kind == .ninep }
        _ = try connection.defineDomain(spec)
    }

    /// virtiofs through Debian's virtiofsd; 9p passthrough on a system connection (QEMU as root),
    /// mapped (owners in xattrs) on a session one, whose QEMU runs as the user.
    func filesystem(_ shared: SharedDirectory) -> FilesystemSpec {
        switch shared.kind {
        case .virtiofs:
            return FilesystemSpec(source: shared.hostPath, tag: shared.tag, driver: .virtiofs(binary: Self.virtiofsd))
        case .ninep:
            return FilesystemSpec(source: shared.hostPath, tag: shared.tag,
                                  driver: .ninep(accessMode: connection.uriInfo.isSession ? "mapped" : "passthrough"))
        }
    }

    func nic(_ attachment: NetworkAttachment) throws -> NICSpec {
        switch attachment.kind {
        case .network:
            var nic = NICSpec(network: attachment.network, mac: attachment.mac)
            // A port of an Open vSwitch userspace datapath: the guest must checksum its own frames.
            let metadata = try connection.networkIfPresent(named: attachment.network)?.vmfileMetadata()
            nic.checksumOffload = metadata?["datapath"] != "netdev"
            return nic
        case .bridge: return NICSpec(source: .bridge(attachment.network), mac: attachment.mac)
        case .direct(let mode): return NICSpec(source: .direct(device: attachment.network, mode: mode), mac: attachment.mac)
        }
    }

    public func start(_ domain: String) throws { try connection.domain(named: domain).start() }
    public func requestShutdown(_ domain: String) throws { try connection.domain(named: domain).shutdown() }
    public func suspend(_ domain: String) throws { try connection.domain(named: domain).suspend() }
    public func resume(_ domain: String) throws { try connection.domain(named: domain).resume() }

    public func forceOff(_ domain: String) throws {
        let found = try connection.domain(named: domain)
        // Already off is the wanted outcome, not an error.
        if try found.state().isActive { try found.destroy() }
    }

    public func undefine(_ domain: String) throws {
        try connection.domainIfPresent(named: domain)?.undefine()
    }

    public func deleteVolume(_ volume: String) throws {
        // A killed run's create may still be allocating it inside libvirtd ("still being allocated").
        let deadline = Date().addingTimeInterval(120)
        while true {
            do {
                try pool().volumeIfPresent(named: volume)?.delete()
                return
            } catch let error as HypervisorError where error.code == .operationInvalid && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    public func vmfileDomains() throws -> [DomainRecord] {
        try connection.listVmfileDomains().map { entry in
            DomainRecord(name: entry.domain.name, status: DomainStatus((try? entry.domain.state()) ?? .noState),
                         metadata: MachineMetadata(fields: entry.metadata))
        }
    }
}

extension DomainStatus {
    init(_ state: DomainState) {
        switch state {
        case .running, .blocked, .shuttingDown: self = .running
        case .paused: self = .paused
        case .shutOff: self = .shutoff
        case .crashed: self = .crashed
        case .suspendedToDisk: self = .suspendedToDisk
        case .noState: self = .other
        }
    }
}
