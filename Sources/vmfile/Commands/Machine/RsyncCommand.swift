import ArgumentParser
import HostSupport
import Lifecycle
import Spec

/// `vmfile rsync`: copy the rsync synced folders into running machines again.
struct RsyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsync",
        abstract: "Copy the rsync synced folders (the project at /vagrant by default) into running machines.",
        discussion: "Machines that are not running are passed over unless named. virtiofs and 9p folders are live and need no copy.")

    @OptionGroup var options: LifecycleOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let selected = try context.machines(machines)
        let named = !machines.isEmpty
        _ = try context.run(selected, noWait: options.noWait) { controller, machine in
            guard try controller.status(of: machine) == .running else {
                if named {
                    throw LifecycleError(.notCreated, "machine '\(machine.name)' is not running",
                                         hint: "start it with `vmfile up \(machine.name)` (which syncs its folders)")
                }
                return
            }
            try controller.rsync(machine)
        }
    }
}
