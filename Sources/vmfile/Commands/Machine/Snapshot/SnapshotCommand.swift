import ArgumentParser
import Lifecycle
import Provisioner

/// `vmfile snapshot`: save and restore machines (libvirt internal snapshots, memory included when running).
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Save, restore, list and delete machine snapshots (memory included while running).",
        discussion: """
            A running machine is saved with its memory and restored running, its processes still there; a halted one \
            disk only; a suspended one as it is. Several machines are saved as one group (paused together). \
            Provision markers and forwarded ports go back with a snapshot.
            """,
        subcommands: [SnapshotSaveCommand.self, SnapshotRestoreCommand.self, SnapshotListCommand.self,
                      SnapshotDeleteCommand.self, SnapshotPushCommand.self, SnapshotPopCommand.self])
}

/// `--[no-]provision` and `--no-start` of `snapshot restore` and `snapshot pop`, as Vagrant's.
struct RestoreOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Run every once and always step after the restore (--provision), or none (--no-provision). "
            + "Default: as `up` on a running machine (always steps, plus once steps the restored markers say are not done)."))
    var provision: Bool?

    @Flag(name: .customLong("no-start"), help: "Leave a machine saved running paused (memory loaded) instead of running it.")
    var noStart = false

    var request: ProvisionRequest {
        switch provision {
        case true?: return .all
        case false?: return .none
        case nil: return .onBoot
        }
    }
}

/// `NAME [MACHINE|/regex/...]` of `snapshot save`, `restore` and `delete`.
struct SnapshotTarget: ParsableArguments {
    @Argument(help: "Snapshot name (letters, digits, . _ -).")
    var name: String

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []
}
