import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

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

    /// Ignores SIGPIPE, as libvirt asks of its clients: when libvirtd goes away mid-call, a write to its
    /// socket must fail with EPIPE (which vmfile reports and recovers from), not kill vmfile without a
    /// word. Child processes get default signal handlers back (`ChildProcess`; `vmfile ssh` before exec).
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        main(nil)
    }
}
