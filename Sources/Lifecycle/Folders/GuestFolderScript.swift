import Foundation
import Provisioner
import Spec

/// The one guest command that readies a machine's synced folders after boot: checks rsync is there
/// (for rsync folders), makes each rsync target owned by its owner, and mounts each virtiofs/9p folder
/// by tag unless it is mounted already. One SSH round trip for all folders: under TCG each costs.
///
/// Output: one `vmfile-folder INDEX GROUP` line per rsync folder (the group its copy gets) and
/// `vmfile-folder INDEX mounted` per mounted one; exit codes name the failure.
enum GuestFolderScript {
    enum Failure: Int32 {
        case noRsync = 92
        case rsyncTarget = 93
        case mount = 94
    }

    static let marker = "vmfile-folder"

    static func command(_ folders: [SyncedFolder], sshUser: String) -> String {
        let q = ShellQuote.quote
        var lines: [String] = []
        if folders.contains(where: { $0.type == .rsync }) {
            lines.append("command -v rsync >/dev/null 2>&1 || exit \(Failure.noRsync.rawValue)")
        }
        for (index, folder) in folders.enumerated() {
            let guest = q(folder.guest)
            switch folder.type {
            case .rsync:
                let owner = q(folder.owner ?? sshUser)
                let group = folder.group.map(q) ?? "\"$(id -gn \(owner) 2>/dev/null)\""
                lines.append("g=\(group); [ -n \"$g\" ] && sudo -n mkdir -p \(guest) && sudo -n chown \(owner):\"$g\" \(guest) "
                    + "&& echo \"\(marker) \(index) $g\" || { echo \(marker)-failed \(index) >&2; exit \(Failure.rsyncTarget.rawValue); }")
            case .virtiofs, .ninep:
                let (module, type, options) = mount(folder)
                let script = "modprobe -q \(module) 2>/dev/null; mkdir -p \"$1\" && mount -t \(type) -o \"$3\" \"$2\" \"$1\""
                let mountOptions = options.isEmpty ? "defaults" : options.joined(separator: ",")
                lines.append("{ mountpoint -q \(guest) 2>/dev/null || sudo -n sh -c \(q(script)) sh \(guest) "
                    + "\(q(FolderPlan.tag(for: folder))) \(q(mountOptions)); } && echo \(marker) \(index) mounted "
                    + "|| { echo \(marker)-failed \(index) >&2; exit \(Failure.mount.rawValue); }")
            case .nfs:
                continue
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Module, file system type and options of a mounted folder.
    static func mount(_ folder: SyncedFolder) -> (module: String, type: String, options: [String]) {
        switch folder.type {
        case .ninep:
            // 9p2000.L carries Linux permissions; 512 KiB messages cut round trips for big files.
            return ("9pnet_virtio", "9p", ["trans=virtio", "version=9p2000.L", "msize=524288"] + folder.mountOptions)
        default:
            return ("virtiofs", "virtiofs", folder.mountOptions)
        }
    }

    /// The group each rsync folder's copy gets, by folder index.
    static func groups(_ stdout: String) -> [Int: String] {
        var groups: [Int: String] = [:]
        for line in stdout.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 3, words[0] == marker, let index = Int(words[1]), words[2] != "mounted" else { continue }
            groups[index] = String(words[2])
        }
        return groups
    }

    /// The index of the folder that failed, from stderr.
    static func failedIndex(_ stderr: String) -> Int? {
        for line in stderr.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, words[0] == "\(marker)-failed", let index = Int(words[1]) { return index }
        }
        return nil
    }
}
