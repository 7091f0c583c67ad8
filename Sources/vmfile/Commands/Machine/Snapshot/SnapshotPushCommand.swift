import ArgumentParser
import Lifecycle

/// `vmfile snapshot push`: save a new snapshot on the project's stack.
struct SnapshotPushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Save a snapshot named push-<time> on the project's stack (pop restores it).")

    @OptionGroup var options: LifecycleOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let name = try context.locked(noWait: options.noWait) { try context.controller.pushSnapshot(selectors: machines) }
        print(name)
    }
}
