import ArgumentParser
import Lifecycle
import Provisioner
import Spec

/// `vmfile snapshot restore NAME`: machines back to the snapshot, in the state it was saved in.
struct SnapshotRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore machines to a snapshot (those holding it when none named).")

    @OptionGroup var options: LifecycleOptions
    @OptionGroup var restore: RestoreOptions

    @OptionGroup var target: SnapshotTarget

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        context.reporter.guestOutput.prefixLines(context.project.vmfile.machines.count > 1 && target.machines.count != 1)
        let results = try context.locked(noWait: options.noWait) {
            try context.controller.restoreSnapshot(target.name, selectors: target.machines, provision: restore.request, start: !restore.noStart)
        }
        _ = try context.finish(results)
    }
}
