import ArgumentParser

/// Flags shared by every command that manages a project's machines.
struct LifecycleOptions: ParsableArguments {
    @OptionGroup var vmfile: VmfileOptions

    @OptionGroup var libvirt: ConnectOptions

    @Flag(name: .customLong("no-wait"), help: "Fail at once instead of waiting when another vmfile holds this project's lock.")
    var noWait = false
}
