import ArgumentParser
import Lifecycle

/// `vmfile reload`: halt then up, keeping the disk.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Halt and start machines again (disks kept), provisioning them as `up` does.")

    @OptionGroup var options: LifecycleOptions

    @OptionGroup var provisioning: ProvisionOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: true)
        let selected = try context.machines(machines)
        try context.checkStepNames(provisioning.names, machines: selected)
        let request = provisioning.request
        _ = try context.run(selected, noWait: options.noWait) { controller, machine in
            _ = try controller.halt(machine)
            return try controller.up(machine, provision: request)
        }
    }
}
