import Foundation
import Spec

/// The synced folders `up` applies to a machine: its enabled `synced_folders`, plus Vagrant's default
/// — the Vmfile's directory at `/vagrant` by rsync — unless an entry for `/vagrant` (disabled or not)
/// says otherwise.
public enum FolderPlan {
    /// The guest path of the default folder.
    public static let defaultGuestPath = "/vagrant"

    /// Enabled folders in the order they are applied (the default one first).
    public static func folders(of machine: Machine, projectDirectory: URL) -> [SyncedFolder] {
        var folders = machine.syncedFolders.filter { !$0.disabled }
        if !machine.syncedFolders.contains(where: { $0.guest == defaultGuestPath }) {
            folders.insert(SyncedFolder(host: projectDirectory.standardizedFileURL.path, guest: defaultGuestPath), at: 0)
        }
        return folders
    }

    /// The mount tag of a mounted folder: derived from its guest path, so the domain definition and the
    /// guest's `mount` agree on every run (`vmfile-` + 8 hex digits: within 9p's and virtiofs' limits).
    public static func tag(for folder: SyncedFolder) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in folder.guest.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let digits = String(hash, radix: 16)
        return "vmfile-" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The folders the domain definition shares as devices (virtiofs, 9p).
    public static func sharedDirectories(of machine: Machine, projectDirectory: URL) -> [SharedDirectory] {
        folders(of: machine, projectDirectory: projectDirectory).compactMap { folder in
            switch folder.type {
            case .virtiofs: return SharedDirectory(hostPath: folder.host, tag: tag(for: folder), kind: .virtiofs)
            case .ninep: return SharedDirectory(hostPath: folder.host, tag: tag(for: folder), kind: .ninep)
            case .rsync, .nfs: return nil
            }
        }
    }
}

/// A host directory a machine's domain shares as a device, mounted in the guest by `tag`.
public struct SharedDirectory: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case virtiofs
        case ninep = "9p"
    }

    public var hostPath: String
    public var tag: String
    public var kind: Kind

    public init(hostPath: String, tag: String, kind: Kind) {
        self.hostPath = hostPath
        self.tag = tag
        self.kind = kind
    }
}
