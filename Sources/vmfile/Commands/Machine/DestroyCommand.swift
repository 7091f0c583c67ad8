import ArgumentParser
import Foundation
import Lifecycle
import Spec

/// `vmfile destroy`: remove machines (domain, disk, project state); boxes stay.
struct DestroyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy", abstract: "Remove machines: domain, disk and project state. Boxes are kept.")

    @OptionGroup var options: LifecycleOptions

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.")
    var force = false

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let selected = try context.machines(machines)
        if !force {
            try confirm(selected.map(\.name))
        }
        _ = try context.run(selected, noWait: options.noWait) { try $0.destroy($1) }
    }

    /// Asks on a terminal; refuses without one (a script must say --force).
    private func confirm(_ names: [String]) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            StandardError.print("error: destroying \(names.joined(separator: ", ")) needs confirmation, and stdin is not a terminal")
            StandardError.print("  hint: pass --force (-f) to destroy without asking")
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("Destroy \(names.joined(separator: ", "))? Disks and project state are deleted. [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard answer == "y" || answer == "yes" else {
            StandardError.print("==> nothing destroyed")
            throw ExitCode(1)
        }
    }
}
