import Foundation
import Spec

extension LibvirtMachineHost {
    /// Debian 12's virtiofsd (package qemu-system-common).
    static let virtiofsd = "/usr/lib/qemu/virtiofsd"

    public func requireSharedFolderSupport(_ kind: SyncedFolder.Kind, machine: String, guest: String) throws {
        let folder = "machine '\(machine)': synced folder \(guest)"
        switch kind {
        case .rsync, .ninep:
            return
        case .nfs:
            let nfsd = Self.hasKernelNFSServer
            throw LifecycleError(
                .unsupported,
                nfsd ? "\(folder) is type: nfs, which this vmfile version does not serve yet"
                    : "\(folder) is type: nfs, but this host cannot serve NFS: its kernel has no NFS server (nfsd is not in /proc/filesystems; containers usually lack it)",
                hint: "use `type: virtiofs` (fastest, needs root), `type: 9p`, or `type: rsync`")
        case .virtiofs:
            if connection.uriInfo.isSession {
                throw LifecycleError(
                    .unsupported,
                    "\(folder) is type: virtiofs, which needs root: on this qemu:///session connection libvirt cannot start virtiofsd",
                    hint: "use `type: 9p` or `type: rsync` (both work unprivileged), or run vmfile as root / in the libvirt group so qemu:///system is used")
            }
            if connection.uriInfo.isLocal && !FileManager.default.isExecutableFile(atPath: Self.virtiofsd) {
                throw LifecycleError(
                    .unavailable, "\(folder) is type: virtiofs, but \(Self.virtiofsd) is missing",
                    hint: "install it (Debian: apt-get install qemu-system-common), or use `type: 9p`")
            }
        }
    }

    /// Whether the kernel can serve NFS (the `nfsd` file system is registered or loadable here).
    static var hasKernelNFSServer: Bool {
        let filesystems = (try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8)) ?? ""
        return filesystems.split(separator: "\n").contains { $0.hasSuffix("\tnfsd") }
            || FileManager.default.fileExists(atPath: "/proc/fs/nfsd/threads")
    }
}
