import ArgumentParser

/// The `vmfile` root command: declarative VM lifecycle on libvirt. Synchronous: every subcommand is,
/// and an async root would start the concurrency runtime and hop to a worker thread on every run.
@main
struct VmfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmfile",
        abstract: "Declarative VM lifecycle on libvirt: Vmfile machines, boxes and provisioning.",
        version: VmfileVersion.current,
        subcommands: [
            InitCommand.self, ValidateCommand.self, ConfigCommand.self,
            UpCommand.self, ProvisionCommand.self, HaltCommand.self, DestroyCommand.self, ReloadCommand.self,
            SuspendCommand.self, ResumeCommand.self, StatusCommand.self, GlobalStatusCommand.self,
            SSHCommand.self, SSHConfigCommand.self, PortCommand.self, RsyncCommand.self, RsyncAutoCommand.self, BoxCommand.self,
            PackageCommand.self, SnapshotCommand.self, BuildCommand.self,
        ]
    )
}
