import ArgumentParser

/// Flags shared by every command that manages a project's machines.
struct LifecycleOptions: ParsableArguments {
    @OptionGroup var vmfile: VmfileOptions

    @Option(name: .customLong("connect"), help: ArgumentHelp(
        "libvirt connection URI (default: $VMFILE_LIBVIRT_URI, the Vmfile's libvirt.uri, else qemu:///system as root or qemu:///session).",
        valueName: "uri"))
    var connect: String?

    @Flag(name: .customLong("no-wait"), help: "Fail at once instead of waiting when another vmfile holds this project's lock.")
    var noWait = false
}
