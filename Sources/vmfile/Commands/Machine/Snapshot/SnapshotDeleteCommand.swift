import ArgumentParser
import Lifecycle

/// `vmfile snapshot delete NAME`: remove a snapshot from machines.
struct SnapshotDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a snapshot (from every machine holding it when none named).")

    @OptionGroup var options: LifecycleOptions

    @OptionGroup var target: SnapshotTarget

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        _ = try context.locked(noWait: options.noWait) { try context.controller.deleteSnapshot(target.name, selectors: target.machines) }
    }
}
