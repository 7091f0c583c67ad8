import Spec

/// Vmfile keys this version parses and validates but does not apply to machines yet. `up` names
/// them once per machine, so nobody mistakes a silent no-op for a working feature.
enum UnappliedFeatures {
    static func keys(of machine: Machine, in vmfile: Vmfile) -> [String] {
        var keys: [String] = []
        if machine.syncedFolders.contains(where: { !$0.disabled }) { keys.append("synced_folders") }
        return keys
    }
}
