import ArgumentParser

/// `vmfile box`: the local box store.
struct BoxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "box", abstract: "Manage the local box store.",
        subcommands: [BoxAddCommand.self, BoxListCommand.self, BoxRemoveCommand.self, BoxPruneCommand.self,
                      BoxOutdatedCommand.self, BoxUpdateCommand.self])
}
