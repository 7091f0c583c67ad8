import Foundation

/// Keeps `/dev/kvm` as udev's rule leaves it (group `kvm`, mode 0660) on hosts where no udev runs.
///
/// Without udev the node keeps the kernel's `root:root 0600`. libvirt's QEMU user (in group `kvm`)
/// then cannot open it, yet the QEMU probe saw KVM, so libvirt judges its QEMU capability cache stale
/// on every lookup and probes QEMU again: 30–50 s for each domain define, measured on a fresh Debian 12
/// host — a window in which a killed `vmfile up` leaves libvirtd finishing its define. Root fixes the
/// node as udev would; anyone else gets one line saying what to run.
public enum KVMDeviceAccess {
    /// What a check found.
    public enum Finding: Equatable, Sendable {
        /// No such device, no `kvm` group, or the group can already read and write it.
        case fine
        /// Root changed the node; the text says what and why.
        case granted(String)
        /// The node needs root to fix; the text is a warning with the command.
        case needsRoot(String)

        /// The line to show, if any.
        public var message: String? {
            switch self {
            case .fine: return nil
            case .granted(let text), .needsRoot(let text): return text
            }
        }
    }

    /// Checks `device` and, as root, gives group `group` read and write access to it.
    public static func ensureGroupAccess(device: String = "/dev/kvm", group: String = "kvm",
                                         isRoot: Bool = geteuid() == 0) -> Finding {
        var info = stat()
        guard stat(device, &info) == 0, info.st_mode & S_IFMT == S_IFCHR, let entry = getgrnam(group) else { return .fine }
        let gid = entry.pointee.gr_gid
        let mode = info.st_mode & 0o7777
        let groupCanUse = info.st_gid == gid && mode & 0o060 == 0o060
        guard !groupCanUse, mode & 0o006 != 0o006 else { return .fine }
        let was = "\(device) is \(groupName(info.st_gid)) \(String(mode, radix: 8)) (no udev rule applied)"
        let why = "libvirt re-probes QEMU on every domain define while its QEMU user cannot open it (30-50 s each)"
        guard isRoot else {
            return .needsRoot("warning: \(was): \(why); fix it as root: chgrp \(group) \(device) && chmod 0660 \(device)")
        }
        guard chown(device, uid_t.max, gid) == 0, chmod(device, mode | 0o660) == 0 else {
            return .needsRoot("warning: \(was) and could not be changed (\(String(cString: strerror(errno)))): \(why)")
        }
        return .granted("note: \(was): set it to group \(group), mode \(String(mode | 0o660, radix: 8)) as udev does, since \(why)")
    }

    private static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "group \(gid)" }
        return "root:\(String(cString: name))"
    }
}
