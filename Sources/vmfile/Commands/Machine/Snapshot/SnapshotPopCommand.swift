import ArgumentParser
import Lifecycle
import Provisioner
import Spec

/// `vmfile snapshot pop`: restore the newest pushed snapshot and delete it.
struct SnapshotPopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pop", abstract: "Restore the newest pushed snapshot, then delete it (--no-delete keeps it).")

    @OptionGroup var options: LifecycleOptions
    @OptionGroup var restore: RestoreOptions

    @Flag(name: .customLong("no-delete"), help: "Keep the snapshot after restoring it.")
    var noDelete = false

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        context.reporter.guestOutput.prefixLines(context.project.vmfile.machines.count > 1 && machines.count != 1)
        let popped = try context.locked(noWait: options.noWait) {
            try context.controller.popSnapshot(selectors: machines, delete: !noDelete, provision: restore.request,
                                               start: !restore.noStart)
        }
        _ = try context.finish(popped.results)
        print(popped.name)
    }
}
