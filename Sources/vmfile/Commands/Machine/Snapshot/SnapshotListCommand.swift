import ArgumentParser
import Foundation
import Lifecycle

/// `vmfile snapshot list`: the project's complete snapshots and the machines holding them.
struct SnapshotListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List snapshots, oldest first.")

    @OptionGroup var options: LifecycleOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let listings = try reportingErrors { try context.controller.listSnapshots(selectors: machines) }
        if json {
            print(try JSONOutput.encode(["snapshots": listings]))
            return
        }
        if listings.isEmpty { StandardError.print("no snapshots") }
        let width = listings.map(\.name.count).max() ?? 0
        for listing in listings {
            let name = listing.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let members = listing.machines.map { "\($0.machine) (\($0.state))" }.joined(separator: ", ")
            let group = listing.group.count < 2 ? "" : listing.complete ? "  group" : "  incomplete group of \(listing.group.joined(separator: ", "))"
            print("\(name)  \(listing.created)  \(members)\(group)")
        }
    }
}
