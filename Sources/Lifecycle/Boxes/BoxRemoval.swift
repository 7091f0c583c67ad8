import Boxes
import Foundation
import Hypervisor

/// Removes box versions from the store and their pool volumes, never pulling a box from under a
/// machine disk: a box in use is refused (naming the machines) unless forced, and even then its
/// pool volume stays while any disk is backed by it.
public struct BoxRemoval: Sendable {
    /// The store to remove from.
    public let store: BoxStore
    /// Where machine disks and box volumes live; nil: no usage known, no volumes removed.
    public let connection: LibvirtConnection?
    /// One-line remarks (a volume kept because disks use it).
    public var notice: @Sendable (String) -> Void

    public init(store: BoxStore, connection: LibvirtConnection?, notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.connection = connection
        self.notice = notice
    }

    /// Current usage (empty without a connection).
    public func usage() throws -> BoxUsage {
        guard let connection else { return BoxUsage() }
        return try BoxUsage.read(connection)
    }

    /// Removes `boxes` (all checked before any is removed).
    public func remove(_ boxes: [InstalledBox], force: Bool) throws {
        let usage = try usage()
        if !force {
            let busy = boxes.filter { !usage.users(of: $0).isEmpty }
            if !busy.isEmpty {
                let lines = busy.map { box in
                    "\(box.name) \(box.version) (used by \(usage.users(of: box).map(\.description).joined(separator: ", ")))"
                }
                throw BoxError(.inUse, "box in use by machines: \(lines.joined(separator: "; "))",
                               hint: "destroy those machines first (vmfile destroy), or use --force to remove the store copy (their disks keep working)")
            }
        }
        for box in boxes {
            let volume = BoxUsage.volumeName(of: box)
            try store.remove(name: box.name, version: box.version)
            if let volume { try deleteVolumeIfUnused(volume, usage: usage) }
        }
    }

    /// Deletes the pool volume of box content no longer in the store (`box add --force` put other
    /// content under its name and version), unless machine disks are backed by it.
    public func dropVolume(ofReplacedContent volume: String) throws {
        try deleteVolumeIfUnused(volume, usage: try usage())
    }

    private func deleteVolumeIfUnused(_ volume: String, usage: BoxUsage) throws {
        guard let connection, usage.boxVolumes.contains(volume) else { return }
        if usage.users[volume]?.isEmpty ?? true {
            try connection.storagePool(named: StoragePool.defaultName).deleteVolume(named: volume)
        } else {
            notice("pool volume \(volume) stays: machine disks are backed by it")
        }
    }

    /// Versions that are neither the newest of their name nor in use.
    public func pruneCandidates() throws -> [InstalledBox] {
        let usage = try usage()
        let all = try store.list()
        let newest = Dictionary(grouping: all, by: \.name).compactMapValues { $0.max { $0.version < $1.version } }
        return all.filter { box in newest[box.name]?.version != box.version && usage.users(of: box).isEmpty }
    }
}
