import ArgumentParser
import Lifecycle

/// `vmfile snapshot save NAME`: snapshot machines, one group when several.
struct SnapshotSaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Save a snapshot of machines (all when none named; several form one group).")

    @OptionGroup var options: LifecycleOptions

    @Flag(help: "Replace a snapshot of the same name.")
    var force = false

    @OptionGroup var target: SnapshotTarget

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        _ = try context.locked(noWait: options.noWait) {
            try context.controller.saveSnapshot(target.name, selectors: target.machines, force: force)
        }
    }
}
