import ArgumentParser
import Foundation
import Lifecycle
import Net

/// `vmfile port`: the forwarded ports of machines, as their last `up` applied them.
struct PortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "port", abstract: "List forwarded ports (host → guest) of this project's machines.")

    @OptionGroup var options: LifecycleOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    @Argument(help: "Machine names or /regex/ patterns (all when none).")
    var machines: [String] = []

    /// One machine's forwards for `--json`.
    struct Entry: Encodable {
        var machine: String
        var ports: [PortMapping]
    }

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let chosen = try context.machines(machines)
        let entries: [Entry] = try reportingErrors {
            try chosen.map { machine in
                // Rules exist only while the machine runs; a plan left from an earlier run is not a forward.
                let running = try context.controller.status(of: machine) == .running
                return Entry(machine: machine.name, ports: running ? context.controller.recordedPorts(of: machine) ?? [] : [])
            }
        }
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
                let corrected = port.isCorrected ? "  (auto-corrected from \(port.requestedHostPort))" : ""
                print("\(entry.machine)  \(port.hostIP):\(port.hostPort) → \(port.guestPort)/\(port.protocol.rawValue)  \(port.id)\(corrected)")
            }
        }
    }
}
