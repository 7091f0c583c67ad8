import ArgumentParser
import Lifecycle

/// `--connect`, the one declaration of it, shared by every command that talks to libvirt.
struct ConnectOptions: ParsableArguments {
    @Option(name: .customLong("connect"), help: ArgumentHelp(
        "libvirt connection URI (default: $VMFILE_LIBVIRT_URI, else the Vmfile's libvirt.uri for project commands, "
            + "else qemu:///system as root or when its socket is reachable, else qemu:///session).",
        valueName: "uri"))
    var uri: String?

    /// How this command reaches libvirt; `vmfileURI` is the loaded Vmfile's `libvirt.uri`. Opens nothing yet.
    func factory(vmfileURI: String? = nil) -> LibvirtHostFactory {
        LibvirtHostFactory(explicitURI: uri, vmfileURI: vmfileURI)
    }
}
