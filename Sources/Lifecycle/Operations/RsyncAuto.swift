import Foundation
import Spec

extension MachineController {
    /// `vmfile rsync-auto`: syncs the rsync folders of the running `machines` once, then watches their
    /// host directories and copies each change (gathered for 0.2 s) to the machines whose folder it is
    /// in, until the process is interrupted. A failed copy is reported and watching goes on.
    public func rsyncAuto(_ machines: [Machine]) throws -> Never {
        var targets: [(machine: Machine, folder: SyncedFolder)] = []
        for machine in machines where try status(of: machine) == .running {
            targets += rsyncWatchList(machine).map { (machine, $0) }
        }
        guard !targets.isEmpty else {
            throw LifecycleError(.notCreated, "no running machine has an rsync synced folder",
                                 hint: "start one with `vmfile up`; virtiofs and 9p folders are live already")
        }
        // Each host directory is watched once, whatever the number of machines syncing it.
        var roots: [FolderWatcher.Root] = []
        var rootOf: [Int] = []
        for target in targets {
            if let index = roots.firstIndex(where: { $0.path == target.folder.host }) {
                rootOf.append(index)
            } else {
                rootOf.append(roots.count)
                roots.append(FolderWatcher.Root(path: target.folder.host, excludes: target.folder.exclude))
            }
        }
        let watcher = try FolderWatcher(roots: roots)
        // The guest side is readied once (an SSH round trip); each change then costs one rsync run.
        var groups: [String: [String: String]] = [:]
        for machine in Set(targets.map(\.machine.name)).sorted() {
            guard let found = targets.first(where: { $0.machine.name == machine })?.machine else { continue }
            do { groups[machine] = try readyRsyncFolders(found) } catch { reporter.notice("error: \(error)") }
        }
        sync(targets, indices: Set(targets.indices), groups: groups)
        reporter.notice("rsync-auto: watching \(roots.map(\.path).joined(separator: ", ")) (\(watcher.watchCount) directories); Ctrl-C stops")
        while true {
            let changed = try watcher.waitForChanges()
            sync(targets, indices: Set(targets.indices.filter { changed.contains(rootOf[$0]) }), groups: groups)
        }
    }

    /// Copies the chosen targets, one rsync run per machine and folder; failures are reported, not thrown.
    private func sync(_ targets: [(machine: Machine, folder: SyncedFolder)], indices: Set<Int>,
                      groups: [String: [String: String]]) {
        var byMachine: [String: (Machine, Set<String>)] = [:]
        for index in indices.sorted() {
            let (machine, folder) = targets[index]
            byMachine[machine.name, default: (machine, [])].1.insert(folder.host)
        }
        for (name, (machine, hosts)) in byMachine.sorted(by: { $0.key < $1.key }) {
            guard let ready = groups[name] else { continue }
            do {
                try copyRsyncFolders(machine, only: hosts, groups: ready)
            } catch {
                reporter.notice("error: \(error)")
            }
        }
    }
}
