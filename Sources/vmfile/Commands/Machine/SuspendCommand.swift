import ArgumentParser
import Lifecycle

/// `vmfile suspend`: pause machines in memory.
struct SuspendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Pause running machines in memory.")

    @OptionGroup var options: LifecycleOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        _ = try context.run(try context.machines(machines), noWait: options.noWait) { try $0.suspend($1) }
    }
}

/// `vmfile resume`: continue suspended machines.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Continue suspended machines.")

    @OptionGroup var options: LifecycleOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        _ = try context.run(try context.machines(machines), noWait: options.noWait) { try $0.resume($1) }
    }
}
