import ArgumentParser
import Lifecycle

/// `vmfile halt`: graceful (ACPI) shutdown, forced after `graceful_halt_timeout`.
struct HaltCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "halt", abstract: "Shut machines down (ACPI, then forced after graceful_halt_timeout); disks are kept.")

    @OptionGroup var options: LifecycleOptions

    @Flag(name: .shortAndLong, help: "Power off at once instead of asking the guest.")
    var force = false

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let force = self.force
        _ = try context.run(try context.machines(machines), noWait: options.noWait) { try $0.halt($1, force: force) }
    }
}
