import ArgumentParser
import Lifecycle

/// `vmfile rsync-auto`: keep the rsync synced folders of running machines in step with the host.
struct RsyncAutoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsync-auto",
        abstract: "Watch the host side of rsync synced folders and copy every change into the running machines, until Ctrl-C.",
        discussion: "Syncs once at start, then on each change (inotify, gathered for 0.2 s). It takes no project lock, so `halt` and friends still work meanwhile.")

    @OptionGroup var options: LifecycleOptions

    @Argument(help: "Machine names or /regex/ patterns.")
    var machines: [String] = []

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let selected = try context.machines(machines)
        try reportingErrors { try context.controller.rsyncAuto(selected) }
    }
}
