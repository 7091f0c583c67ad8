import ArgumentParser
import Foundation
import Lifecycle

/// `vmfile status`: each machine's state, live from libvirt.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the state of this project's machines.")

    @OptionGroup var options: LifecycleOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let statuses = try reportingErrors { try context.controller.statuses(try context.machines(machines)) }
        if json {
            print(try JSONOutput.encode(["machines": statuses]))
            return
        }
        let width = statuses.map(\.name.count).max() ?? 0
        for status in statuses {
            let name = status.name.padding(toLength: width, withPad: " ", startingAt: 0)
            // Without a reachable address (user mode) the SSH endpoint says where the machine is.
            let place = status.address ?? status.ssh.map { "ssh \($0)" }
            let snapshots = status.snapshots == 0 ? "" : "  \(status.snapshots) snapshot\(status.snapshots == 1 ? "" : "s")"
            print("\(name)  \(status.state)\(place.map { "  \($0)" } ?? "")\(snapshots)")
        }
    }
}

/// `vmfile global-status`: every vmfile machine on the connection, from domain metadata.
struct GlobalStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "global-status", abstract: "Show every vmfile machine on the libvirt connection, from any project.")

    @OptionGroup var libvirt: ConnectOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func run() throws {
        let statuses = try reportingErrors { try GlobalStatus.read(from: try libvirt.factory().machineHost(defining: false)) }
        if json {
            print(try JSONOutput.encode(["machines": statuses]))
            return
        }
        if statuses.isEmpty {
            StandardError.print("no vmfile machines on this connection")
        }
        for status in statuses {
            print("\(status.machine)  \(status.state)  \(status.box) \(status.boxVersion)  \(status.project)")
        }
    }
}

/// JSON with sorted keys, for `--json` output.
enum JSONOutput {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
