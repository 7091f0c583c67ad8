import ArgumentParser
import Lifecycle
import Provisioner

/// `vmfile provision`: run provision steps on running machines.
struct ProvisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Run provision steps on running machines (all once and always steps, or those named with --step).",
        discussion: """
            Steps run in order (the Vmfile's top-level steps, then the machine's own) on one SSH connection per \
            machine; machines run in parallel. A failing step stops its machine. `--step` also runs `run: never` steps.
            """)

    @OptionGroup var options: LifecycleOptions

    @Option(name: .customLong("step"), parsing: .singleValue, help: ArgumentHelp(
        "Run only this step (repeatable or comma-separated); `never` steps included.", valueName: "name"))
    var steps: [String] = []

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let selected = try context.machines(machines)
        let names = StepNames.split(steps)
        try context.checkStepNames(names, machines: selected)
        let request: ProvisionRequest = names.isEmpty ? .all : .named(names)
        // As in Vagrant, `vmfile provision` alone passes over machines that are not running; a named one must run.
        let skipNotRunning = machines.isEmpty
        _ = try context.run(selected, noWait: options.noWait) {
            try $0.provision($1, request: request, skipNotRunning: skipNotRunning)
        }
    }
}
