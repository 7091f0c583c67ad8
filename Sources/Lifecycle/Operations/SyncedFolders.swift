import Foundation
import Provisioner
import Spec

extension MachineController {
    /// `machine`'s enabled synced folders, the default `/vagrant` included.
    func syncedFolders(of machine: Machine) -> [SyncedFolder] {
        FolderPlan.folders(of: machine, projectDirectory: project.directory)
    }

    /// Before anything is made: refuses folder types this host or connection cannot serve, and makes
    /// sure every host directory is there (creating it when the folder says `create: true`).
    func prepareSyncedFolders(_ machine: Machine) throws {
        let folders = syncedFolders(of: machine)
        for folder in folders {
            try host.requireSharedFolderSupport(folder.type, machine: machine.name, guest: folder.guest)
        }
        for folder in folders {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: folder.host, isDirectory: &isDirectory)
            if !exists && folder.create {
                try FileManager.default.createDirectory(atPath: folder.host, withIntermediateDirectories: true)
                continue
            }
            guard exists, isDirectory.boolValue else {
                throw LifecycleError(
                    .invalidArgument,
                    "machine '\(machine.name)': synced folder \(folder.guest): host path \(folder.host) \(exists ? "is not a directory" : "does not exist")",
                    hint: exists ? "sync the directory holding it" : "create it, or add `create: true` to the folder")
            }
        }
    }

    /// After SSH is ready on a fresh boot, before provisioning: mounts the virtiofs/9p folders by tag and
    /// copies the rsync ones, as Vagrant does on `up` and `reload`.
    func applySyncedFolders(_ machine: Machine, session: any GuestSession, clock: PhaseClock) throws {
        let folders = syncedFolders(of: machine).filter { $0.type != .nfs }
        guard !folders.isEmpty else { return }
        let groups = try readyGuestFolders(machine, folders, session: session)
        for folder in folders where folder.type.isMounted {
            clock.report("synced folder \(folder.guest) mounted (\(folder.type.rawValue) from \(folder.host))")
        }
        try rsyncFolders(machine, folders, groups: groups, clock: clock)
    }

    /// `vmfile rsync`: readies the guest side of `machine`'s rsync folders and copies them again; false
    /// when it has none.
    @discardableResult
    public func rsync(_ machine: Machine) throws -> Bool {
        let folders = syncedFolders(of: machine).filter { $0.type == .rsync }
        guard !folders.isEmpty else { return false }
        let groups = try readyRsyncFolders(machine)
        try copyRsyncFolders(machine, only: nil, groups: groups)
        return true
    }

    /// The guest side of `machine`'s rsync folders (rsync present, targets owned by their owners) over
    /// one SSH connection; returns each folder's group by guest path.
    func readyRsyncFolders(_ machine: Machine) throws -> [String: String] {
        let folders = syncedFolders(of: machine).filter { $0.type == .rsync }
        let target = try runningSSHTarget(of: machine)
        let session = try connectGuest(machine, target: target, deadline: Date().addingTimeInterval(TimeInterval(machine.bootTimeout)))
        defer { session.close() }
        let groups = try readyGuestFolders(machine, folders, session: session)
        var byGuest: [String: String] = [:]
        for (index, group) in groups where folders.indices.contains(index) { byGuest[folders[index].guest] = group }
        return byGuest
    }

    /// Copies `machine`'s rsync folders (those whose host path is in `hostPaths`, all when nil) whose
    /// guest side is ready; `groups` by guest path, from `readyRsyncFolders`.
    func copyRsyncFolders(_ machine: Machine, only hostPaths: Set<String>?, groups: [String: String]) throws {
        var folders = syncedFolders(of: machine).filter { $0.type == .rsync }
        if let hostPaths { folders = folders.filter { hostPaths.contains($0.host) } }
        let indexed = Dictionary(uniqueKeysWithValues: folders.enumerated().compactMap { item in
            groups[item.element.guest].map { (item.offset, $0) }
        })
        try rsyncFolders(machine, folders, groups: indexed, clock: PhaseClock(machine: machine.name, reporter: reporter))
    }

    /// The host directories `vmfile rsync-auto` watches for `machine`, with each folder's excludes.
    public func rsyncWatchList(_ machine: Machine) -> [SyncedFolder] {
        syncedFolders(of: machine).filter { $0.type == .rsync }
    }

    /// Runs the guest side of the folders (owners, mounts); returns each rsync folder's group by index.
    private func readyGuestFolders(_ machine: Machine, _ folders: [SyncedFolder], session: any GuestSession) throws -> [Int: String] {
        let result = try session.run(GuestFolderScript.command(folders, sshUser: machine.ssh.username))
        guard result.status != 0 else { return GuestFolderScript.groups(result.stdout) }
        let said = result.stderr.split(separator: "\n").filter { !$0.hasPrefix(GuestFolderScript.marker) }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = GuestFolderScript.failedIndex(result.stderr).flatMap { folders.indices.contains($0) ? folders[$0] : nil }
        switch GuestFolderScript.Failure(rawValue: result.status) {
        case .noRsync?:
            let names = folders.filter { $0.type == .rsync }.map(\.guest).joined(separator: ", ")
            throw LifecycleError(
                .guest, "machine '\(machine.name)': the guest has no rsync, which its synced folder \(names) (type: rsync) needs",
                hint: "install the guest's `rsync` package (Debian/Ubuntu: `sudo apt-get install rsync`; Fedora: `sudo dnf install rsync`), or give the folder `type: virtiofs` or `disabled: true`")
        case .rsyncTarget?:
            let owner = folder.map { "\($0.owner ?? machine.ssh.username)\($0.group.map { ":\($0)" } ?? "")" } ?? machine.ssh.username
            throw LifecycleError(
                .guest, "machine '\(machine.name)': could not make synced folder \(folder?.guest ?? "?") owned by \(owner) in the guest",
                hint: said.isEmpty ? "the owner and group must exist in the guest, and the SSH user needs passwordless sudo" : "the guest said: \(said)")
        case .mount?:
            let kind = folder?.type.rawValue ?? "?"
            throw LifecycleError(
                .guest, "machine '\(machine.name)': could not mount synced folder \(folder?.guest ?? "?") (\(kind), tag \(folder.map(FolderPlan.tag(for:)) ?? "?"))",
                hint: (said.isEmpty ? "" : "the guest said: \(said); ")
                    + "the guest kernel needs \(kind == "9p" ? "9p and 9pnet_virtio" : "virtiofs") and the SSH user passwordless sudo; a folder added after the machine was created needs `vmfile destroy \(machine.name)` and `vmfile up`")
        case nil:
            throw LifecycleError(.guest, "machine '\(machine.name)': could not ready its synced folders (exit \(result.status))",
                                 hint: said.isEmpty ? nil : "the guest said: \(said)")
        }
    }

    private func rsyncFolders(_ machine: Machine, _ folders: [SyncedFolder], groups: [Int: String], clock: PhaseClock) throws {
        let copies = folders.enumerated().filter { $0.element.type == .rsync }
        guard !copies.isEmpty else { return }
        let access = try openSSHAccess(to: machine)
        for (index, folder) in copies {
            let owner = folder.owner ?? machine.ssh.username
            let invocation = RsyncInvocation(folder: folder, ssh: access, owner: owner, group: folder.group ?? groups[index] ?? owner)
            let result = try asLifecycleError { try guests.rsync(invocation.arguments) }
            // 24: files vanished on the host while copying; what is there now was copied.
            guard result.status == 0 || result.status == 24 else {
                throw LifecycleError(
                    .guest, "machine '\(machine.name)': rsync of \(folder.host) to \(folder.guest) failed (exit \(result.status))",
                    hint: Self.lastLines(result.stderr) ?? "run `vmfile rsync \(machine.name)` to try again")
            }
            clock.report("synced folder \(folder.guest) copied (rsync from \(folder.host))")
        }
    }

    private static func lastLines(_ text: String) -> String? {
        let lines = text.split(separator: "\n").suffix(5)
        return lines.isEmpty ? nil : "rsync said: " + lines.joined(separator: "\n    ")
    }
}
