import Hypervisor

/// Internal snapshots on libvirt.
extension LibvirtMachineHost {
    public func snapshotNames(_ domain: String) throws -> [String] {
        try connection.domainIfPresent(named: domain)?.listSnapshots().map(\.name) ?? []
    }

    public func createSnapshot(_ domain: String, name: String) throws {
        try connection.domain(named: domain).createSnapshot(name: name, description: "vmfile")
    }

    public func revertSnapshot(_ domain: String, name: String, to target: SnapshotRevert) throws {
        let running: Bool? = switch target {
        case .asSaved: nil
        case .running: true
        case .paused: false
        }
        try connection.domain(named: domain).snapshot(named: name).revertPreferringInPlace(running: running)
    }

    public func deleteSnapshot(_ domain: String, name: String) throws {
        try connection.domainIfPresent(named: domain)?.snapshotIfPresent(named: name)?.delete()
    }
}
