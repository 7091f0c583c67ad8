import ArgumentParser
import Lifecycle

/// `vmfile reload`: halt then up, keeping the disk.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Halt and start machines again (disks kept).")

    @OptionGroup var options: LifecycleOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: true)
        _ = try context.run(try context.machines(machines), noWait: options.noWait) { controller, machine in
            _ = try controller.halt(machine)
            return try controller.up(machine)
        }
    }
}
