import ArgumentParser

/// The `vmfile` root command: declarative VM lifecycle on libvirt.
@main
struct VmfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmfile",
        abstract: "Declarative VM lifecycle on libvirt: Vmfile machines, boxes and provisioning.",
        version: VmfileVersion.current,
        subcommands: [
            InitCommand.self, ValidateCommand.self, ConfigCommand.self,
            UpCommand.self, ProvisionCommand.self, HaltCommand.self, DestroyCommand.self, ReloadCommand.self,
            SuspendCommand.self, ResumeCommand.self, StatusCommand.self, GlobalStatusCommand.self,
            SSHCommand.self, SSHConfigCommand.self, PortCommand.self, BoxCommand.self, PackageCommand.self,
        ]
    )
}
