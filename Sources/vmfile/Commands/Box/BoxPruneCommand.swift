import ArgumentParser
import Boxes
import Foundation
import HostSupport
import Lifecycle

/// `vmfile box prune`: remove versions that are neither the newest of their box nor in use.
struct BoxPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Remove box versions that are neither the newest of their box nor used by a machine.")

    @Flag(help: "Only list what would be removed.")
    var dryRun = false

    @OptionGroup var libvirt: ConnectOptions

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        try reportingErrors {
            guard let connection = libvirt.factory().connectionIfReachable() else {
                throw BoxError(.io, "cannot reach libvirt to see which boxes machines use; nothing pruned",
                               hint: "start libvirtd, or pass --connect URI")
            }
            let removal = BoxRemoval(store: store, connection: connection, notice: { StandardError.print("==> \($0)") })
            let candidates = try removal.pruneCandidates()
            if candidates.isEmpty { StandardError.print("==> nothing to prune") }
            for box in candidates {
                StandardError.print("==> \(dryRun ? "would remove" : "removing") \(box.name) \(box.version)")
            }
            if !dryRun { try removal.remove(candidates, force: false) }
        }
    }
}
