import ArgumentParser
import Lifecycle

/// `vmfile up`: create, start or resume machines until they answer SSH.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Create and start machines (all when none are named); idempotent.",
        discussion: """
            Machines are named or matched with /regex/. Several machines come up in parallel. A machine that is \
            created, started or already running is then provisioned as in Vagrant: always steps every time, once \
            steps on its first provisioning; a resumed machine is not provisioned.
            """)

    @OptionGroup var options: LifecycleOptions

    @OptionGroup var provisioning: ProvisionOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: true)
        let selected = try context.project.machines(matching: machines, includeNonAutostart: !machines.isEmpty)
        try context.checkStepNames(provisioning.names, machines: selected)
        let request = provisioning.request
        for (name, outcome) in try context.run(selected, noWait: options.noWait, { try $0.up($1, provision: request) }) {
            switch outcome {
            case .created(let address), .started(let address):
                StandardError.print("==> \(name): running at \(address) — `vmfile ssh \(name)` to log in")
            case .resumed, .alreadyRunning:
                break
            }
        }
    }
}
