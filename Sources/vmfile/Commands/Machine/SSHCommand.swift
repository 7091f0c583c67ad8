import ArgumentParser
import Foundation
import HostSupport
import Lifecycle
import Provisioner
import Spec

/// `vmfile ssh`: exec the OpenSSH client into a machine with generated options.
struct SSHCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "Log in to a machine (or run a command) with OpenSSH.")

    @OptionGroup var options: LifecycleOptions

    @Option(name: .shortAndLong, help: "Run this command instead of a login shell.")
    var command: String?

    @Argument(help: "The machine (default: the primary or only one).")
    var machine: String?

    @Argument(parsing: .postTerminator, help: "Extra arguments for ssh, after --.")
    var sshArguments: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let target = try MachineChoice.one(machine, in: context)
        let access = try reportingErrors { try context.controller.openSSHAccess(to: target) }
        var arguments = ["ssh"] + sshArguments + access.arguments
        if let command {
            arguments.append(command)
        } else if isatty(STDIN_FILENO) == 1 {
            arguments.insert("-t", at: 1)
        }
        let ssh = "/usr/bin/ssh"
        let cArguments = arguments.map { strdup($0) } + [nil]
        signal(SIGPIPE, SIG_DFL) // vmfile ignores it; ssh expects the default, and an ignored signal survives exec
        execv(ssh, cArguments)
        StandardError.print("error: cannot run \(ssh): \(String(cString: strerror(errno)))")
        StandardError.print("  hint: install the OpenSSH client (apt-get install openssh-client)")
        throw ExitCode(1)
    }
}

/// `vmfile ssh-config`: an ssh_config block per running machine.
struct SSHConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-config", abstract: "Print ssh_config blocks for running machines (for ssh -F, scp, rsync, IDEs).")

    @OptionGroup var options: LifecycleOptions

    @Argument(help: "Machine names (default: all).")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        for machine in try context.machines(machines) {
            print(try reportingErrors { try context.controller.openSSHAccess(to: machine) }.configBlock)
        }
    }
}

/// Picks the one machine a command acts on.
enum MachineChoice {
    static func one(_ name: String?, in context: CommandContext) throws -> Machine {
        if let name {
            return try reportingErrors {
                guard let machine = context.project.vmfile.machine(named: name) else {
                    throw LifecycleError(.invalidArgument, "no machine '\(name)' in \(context.project.vmfile.path)",
                                         hint: "machines: \(context.project.vmfile.machines.map(\.name).joined(separator: ", "))")
                }
                return machine
            }
        }
        guard let primary = context.project.vmfile.primaryMachine else {
            StandardError.print("error: this Vmfile has several machines and none is primary: name one")
            StandardError.print("  hint: machines: \(context.project.vmfile.machines.map(\.name).joined(separator: ", "))")
            throw ExitCode(1)
        }
        return primary
    }
}
