import Spec

/// Vmfile keys this version parses and validates but does not apply to machines yet. `up` names
/// them once per machine, so nobody mistakes a silent no-op for a working feature.
enum UnappliedFeatures {
    static func keys(of machine: Machine, in vmfile: Vmfile) -> [String] {
        var keys: [String] = []
        // Private networks are made, but as Linux bridges: Open vSwitch and VLANs are not wired yet.
        let joined = Set(machine.networks.compactMap { network -> String? in
            if case .private(let attachment) = network { return attachment.network }
            return nil
        })
        if vmfile.networks.contains(where: { joined.contains($0.name) && ($0.switch == .ovs || $0.vlan != nil) }) {
            keys.append("switch: ovs / vlan")
        }
        if machine.syncedFolders.contains(where: { !$0.disabled }) { keys.append("synced_folders") }
        return keys
    }
}
