import ArgumentParser
import Foundation
import Lifecycle

/// `vmfile port`: the forwarded ports of machines, as their last `up` applied them.
struct PortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "port", abstract: "List forwarded ports (host → guest) of this project's machines.")

    @OptionGroup var options: LifecycleOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    @Argument(help: "Machine names or /regex/ patterns (all when none).")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let chosen = try context.machines(machines)
        let entries = try reportingErrors { try chosen.map { try context.controller.activePorts(of: $0) } }
        if json {
            print(try JSONOutput.encode(["machines": entries]))
            return
        }
        for entry in entries {
            if entry.ports.isEmpty {
                StandardError.print("\(entry.machine): no forwarded ports (not running, or none declared)")
                continue
            }
            for port in entry.ports {
                print("\(entry.machine)  \(port.summary)")
            }
        }
    }
}
