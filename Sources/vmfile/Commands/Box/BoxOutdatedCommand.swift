import ArgumentParser
import Boxes
import Foundation
import Spec

/// `vmfile box outdated`: compare installed boxes with their catalogs.
struct BoxOutdatedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outdated",
        abstract: "Check the project's boxes (or every box with --global) against their catalogs and box_version.")

    @Flag(help: "Check every installed box, not just the Vmfile's.")
    var global = false

    @Flag(help: "Print JSON on stdout.")
    var json = false

    @OptionGroup var vmfile: VmfileOptions

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        let installer = BoxInstaller(store: store)
        let rows = try reportingErrors { try installer.outdated(try BoxTargets.select(global: global, store: store, vmfile: vmfile)) }
        if json {
            print(try JSONOutput.encode(["boxes": rows]))
            return
        }
        for row in rows {
            switch row.status {
            case "outdated": print("\(row.name): \(row.installed) installed, \(row.latest ?? "?") available — run `vmfile box update`")
            case "current": print("\(row.name): \(row.installed) is the newest")
            case "not-installed": print("\(row.name): not installed")
            case "no-catalog": print("\(row.name): \(row.installed), no catalog recorded (added from a file)")
            default: print("\(row.name): \(row.installed), cannot check: \(row.message ?? row.status)")
            }
        }
    }
}

/// `vmfile box update`: add the newest catalog version of the project's boxes (or `--box NAME`).
struct BoxUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Add the newest catalog version (within box_version) of the project's boxes, or of --box NAME.")

    @Option(help: "Update this box instead of the Vmfile's boxes.")
    var box: String?

    @OptionGroup var vmfile: VmfileOptions

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        let installer = BoxInstaller(store: store, progress: Progress.renderer().report, notice: { StandardError.print("==> \($0)") })
        try reportingErrors {
            let targets = try box.map { [($0, VersionConstraint?.none)] } ?? BoxTargets.select(global: false, store: store, vmfile: vmfile)
            for (name, constraint) in targets {
                if let added = try installer.update(name: name, constraint: constraint) {
                    StandardError.print("==> box \(added.name) \(added.version) added; machines pick it up when recreated")
                } else {
                    StandardError.print("==> box \(name) is up to date")
                }
            }
        }
    }
}

/// Which boxes `outdated`/`update` look at: the Vmfile's (with `box_version`), or all installed.
enum BoxTargets {
    static func select(global: Bool, store: BoxStore, vmfile: VmfileOptions) throws -> [(name: String, constraint: VersionConstraint?)] {
        if global {
            return Array(Set(try store.list().map(\.name))).sorted().map { ($0, nil) }
        }
        let path = try vmfile.locate()
        let loaded: Vmfile
        do {
            loaded = try VmfileLoader.load(path: path)
        } catch {
            StandardError.print(error.description)
            throw ExitCode(1)
        }
        var seen = Set<String>()
        var targets: [(name: String, constraint: VersionConstraint?)] = []
        for machine in loaded.machines where seen.insert(machine.box).inserted {
            targets.append((machine.box, machine.boxVersion))
        }
        return targets
    }
}
