import Boxes
import Foundation
import Hypervisor

/// Which machine disks depend on which box volumes, read from libvirt now: a machine disk is a
/// pool volume whose backing file is a box volume; its domain's metadata names project and machine.
public struct BoxUsage: Sendable {
    /// A machine whose disk is backed by a box volume.
    public struct User: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Machine name (the domain name when the domain is gone).
        public var machine: String
        /// The project's Vmfile path.
        public var project: String
        /// The libvirt domain.
        public var domain: String
        public var description: String { project.isEmpty ? domain : "\(machine) (\(project))" }
    }

    /// Box volume name → machines on it.
    public private(set) var users: [String: [User]] = [:]
    /// Box volumes present in the pool.
    public private(set) var boxVolumes: Set<String> = []

    public init(users: [String: [User]] = [:], boxVolumes: Set<String> = []) {
        self.users = users
        self.boxVolumes = boxVolumes
    }

    /// Reads the vmfile pool and domains; empty when the pool does not exist yet.
    public static func read(_ connection: LibvirtConnection) throws -> BoxUsage {
        guard let pool = try vmfilePool(connection) else { return BoxUsage() }
        let directory = try pool.targetPath()
        var usage = BoxUsage()
        var disksByBacking: [String: [String]] = [:]
        for volume in try pool.listVolumes() {
            if VolumeNames.isBox(volume.name) {
                usage.boxVolumes.insert(volume.name)
                continue
            }
            guard let backing = try? volume.backingPath() else { continue }
            let backingName = (backing as NSString).lastPathComponent
            guard (backing as NSString).deletingLastPathComponent == directory, VolumeNames.isBox(backingName) else { continue }
            disksByBacking[backingName, default: []].append(volume.name)
        }
        guard !disksByBacking.isEmpty else { return usage }
        var machines: [String: User] = [:]
        for entry in try connection.listVmfileDomains() {
            let metadata = MachineMetadata(fields: entry.metadata)
            machines[entry.domain.name] = User(machine: metadata.machine.isEmpty ? entry.domain.name : metadata.machine,
                                              project: metadata.projectPath, domain: entry.domain.name)
        }
        for (box, disks) in disksByBacking {
            usage.users[box] = disks.map { disk in
                let domain = VolumeNames.domain(ofDisk: disk) ?? disk
                // A disk without a domain (a killed `up`) still depends on the box.
                return machines[domain] ?? User(machine: domain, project: "", domain: domain)
            }.sorted { ($0.project, $0.machine) < ($1.project, $1.machine) }
        }
        return usage
    }

    /// The vmfile pool, nil when it does not exist yet (nothing was ever created).
    private static func vmfilePool(_ connection: LibvirtConnection) throws -> StoragePool? {
        do {
            return try connection.storagePool(named: StoragePool.defaultName)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    /// The pool volume name of an installed box (content-named: name, version, digest); nil when the
    /// box was never imported into the pool (its digest is recorded by the first import).
    public static func volumeName(of box: InstalledBox) -> String? {
        box.recordedDigest.map { LibvirtMachineHost.boxVolumeName(box, digest: $0) }
    }

    /// The machines whose disks are backed by `box`'s volume.
    public func users(of box: InstalledBox) -> [User] {
        guard let name = Self.volumeName(of: box) else { return [] }
        return users[name] ?? []
    }
}
