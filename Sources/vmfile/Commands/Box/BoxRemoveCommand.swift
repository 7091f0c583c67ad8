import ArgumentParser
import Boxes
import Foundation
import HostSupport
import Lifecycle
import Spec

/// `vmfile box remove NAME [--version V | --all] [--force]`.
struct BoxRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove installed box versions and their pool volumes (refused while a machine disk depends on them).")

    @Argument(help: "The box's name.")
    var name: String

    @Option(help: "The version to remove (default: the only installed one).")
    var version: String?

    @Flag(help: "Remove every installed version.")
    var all = false

    @Flag(name: [.short, .long], help: "Remove the store copy even when machines use it (their pool volume stays).")
    var force = false

    @OptionGroup var libvirt: ConnectOptions

    func validate() throws {
        if all, version != nil { throw ValidationError("--version and --all exclude each other") }
        if let version, BoxVersion(version) == nil { throw ValidationError("'\(version)' is not a box version") }
    }

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        try reportingErrors {
            let installed = try store.list().filter { $0.name == name }
            let chosen: [InstalledBox]
            if installed.isEmpty {
                throw BoxError(.notFound, "box '\(name)' is not installed", hint: "see `vmfile box list`")
            } else if all {
                chosen = installed
            } else if let version {
                chosen = installed.filter { $0.version == BoxVersion(version) }
                if chosen.isEmpty {
                    throw BoxError(.notFound, "box '\(name)' version \(version) is not installed",
                                   hint: "installed: \(installed.map(\.version.description).joined(separator: ", "))")
                }
            } else if installed.count == 1 {
                chosen = installed
            } else {
                throw BoxError(.invalidBox, "box '\(name)' has \(installed.count) versions",
                               hint: "name one with --version (\(installed.map(\.version.description).joined(separator: ", "))) or use --all")
            }
            let removal = BoxRemoval(store: store, connection: libvirt.factory().connectionIfReachable(),
                                     notice: { StandardError.print("==> \($0)") })
            try removal.remove(chosen, force: force)
            for box in chosen { StandardError.print("==> box \(box.name) \(box.version) removed") }
        }
    }
}
