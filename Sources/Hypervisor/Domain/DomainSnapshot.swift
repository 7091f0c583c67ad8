internal import CLibvirt
import Foundation

/// A libvirt domain snapshot. Owns its `virDomainSnapshotPtr`, freed exactly once in `deinit`.
///
/// `@unchecked Sendable`: immutable pointer; libvirt objects are thread-safe and errors are read in
/// the failing call (see `LibvirtConnection`).
public final class DomainSnapshot: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// The domain this snapshot belongs to (keeps it and the connection alive).
    public let domain: Domain
    /// The snapshot name.
    public let name: String

    init(adopting pointer: OpaquePointer, domain: Domain) {
        self.pointer = pointer
        self.domain = domain
        self.name = virDomainSnapshotGetName(pointer).map { String(cString: $0) } ?? ""
    }

    deinit { virDomainSnapshotFree(pointer) }

    @discardableResult
    func withPointer<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        try body(pointer)
    }

    /// The snapshot XML.
    public func xml() throws(HypervisorError) -> String {
        try withPointer { snapshot throws(HypervisorError) in
            try Libvirt.string("Reading snapshot \(name) of domain \(domain.name)") { virDomainSnapshotGetXMLDesc(snapshot, 0) }
        }
    }

    /// The snapshot's description, creation time (seconds since the epoch) and the domain state it saved.
    public func details() throws(HypervisorError) -> (description: String?, creationTime: Int64?, state: String?) {
        let text = try xml()
        return (XMLText.text(of: "description", in: text), XMLText.text(of: "creationTime", in: text).flatMap { Int64($0) },
                XMLText.text(of: "state", in: text))
    }

    /// Reverts the domain to this snapshot. `running` forces the domain running (true) or paused
    /// (false) afterwards; nil restores the state the snapshot recorded. Reverts libvirt calls risky
    /// (a running domain to a disk-only snapshot, a new QEMU process) are allowed: the caller asked for this state.
    public func revert(running: Bool? = nil) throws(HypervisorError) {
        var flags = UInt32(VIR_DOMAIN_SNAPSHOT_REVERT_FORCE.rawValue)
        if let running {
            flags |= UInt32(running ? VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING.rawValue : VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED.rawValue)
        }
        try withPointer { snapshot throws(HypervisorError) in
            try Libvirt.check("Reverting domain \(domain.name) to snapshot \(name)") { virDomainRevertToSnapshot(snapshot, flags) }
        }
    }

    /// Deletes the snapshot (its data and metadata); `children` also deletes the snapshots made after it.
    public func delete(children: Bool = false) throws(HypervisorError) {
        let flags = children ? UInt32(VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN.rawValue) : 0
        try withPointer { snapshot throws(HypervisorError) in
            try Libvirt.check("Deleting snapshot \(name) of domain \(domain.name)") { virDomainSnapshotDelete(snapshot, flags) }
        }
    }
}

extension Domain {
    /// Takes a snapshot called `name` (disk, and memory when running) of the domain.
    @discardableResult
    public func createSnapshot(name snapshotName: String, description: String? = nil) throws(HypervisorError) -> DomainSnapshot {
        var xml = "<domainsnapshot>\n  <name>\(XMLText.escape(snapshotName))</name>\n"
        if let description { xml += "  <description>\(XMLText.escape(description))</description>\n" }
        xml += "</domainsnapshot>\n"
        let raw = try withPointer { domain throws(HypervisorError) in
            try Libvirt.pointer("Taking snapshot \(snapshotName) of domain \(name)", hint: "Snapshots need qcow2 disks") {
                virDomainSnapshotCreateXML(domain, xml, UInt32(VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC.rawValue))
            }
        }
        return DomainSnapshot(adopting: raw, domain: self)
    }

    /// The snapshot called `name`.
    /// - Throws: `.noDomainSnapshot` when there is none.
    public func snapshot(named snapshotName: String) throws(HypervisorError) -> DomainSnapshot {
        let raw = try withPointer { domain throws(HypervisorError) in
            try Libvirt.pointer("Looking up snapshot \(snapshotName) of domain \(name)") {
                virDomainSnapshotLookupByName(domain, snapshotName, 0)
            }
        }
        return DomainSnapshot(adopting: raw, domain: self)
    }

    /// The snapshot called `name`, or nil when the domain has none of that name.
    public func snapshotIfPresent(named snapshotName: String) throws(HypervisorError) -> DomainSnapshot? {
        do {
            return try snapshot(named: snapshotName)
        } catch {
            if error.code == .noDomainSnapshot { return nil }
            throw error
        }
    }

    /// All snapshots of the domain.
    public func listSnapshots() throws(HypervisorError) -> [DomainSnapshot] {
        try withPointer { domain throws(HypervisorError) in
            var list: UnsafeMutablePointer<OpaquePointer?>?
            let count = try Libvirt.check("Listing snapshots of domain \(name)") { virDomainListAllSnapshots(domain, &list, 0) }
            defer { free(list) }
            return (0..<Int(count)).compactMap { index in list?[index].map { DomainSnapshot(adopting: $0, domain: self) } }
        }
    }
}
