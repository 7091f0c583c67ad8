/// The vmfile XML namespace for `<metadata>` elements in domains and networks.
public enum VmfileMetadata {
    /// Namespace URI.
    public static let namespace = "https://vmfile.dev/metadata/1"
    /// Prefix used in generated XML.
    public static let prefix = "vmfile"
    /// Element name inside a domain's `<metadata>`.
    public static let machineElement = "machine"
    /// Element name inside a network's `<metadata>`.
    public static let networkElement = "network"
}

/// A network interface of a domain.
public struct NICSpec: Sendable, Equatable {
    /// What the NIC plugs into.
    public enum Source: Sendable, Equatable {
        /// A libvirt network (`<interface type='network'>`).
        case network(String)
        /// An existing host bridge, Linux or Open vSwitch (`<interface type='bridge'>`).
        case bridge(String)
        /// macvtap on a host device (`<interface type='direct'>`), mode `bridge`, `vepa` or `private`.
        case direct(device: String, mode: String)
        /// QEMU user-mode networking (slirp) with these host port forwards; needs no root. Written as
        /// `<qemu:commandline>` arguments, not an `<interface>` (see `UserModeArguments`).
        case user(forwards: [UserForward])
    }

    public var source: Source
    /// A fixed MAC (`52:54:00:xx:xx:xx`); nil lets libvirt pick one.
    public var mac: String?
    /// The device model; `virtio` unless a box needs `e1000`.
    public var model: String
    /// Plug into Open vSwitch (`<virtualport type='openvswitch'/>`); bridge or network sources only.
    public var openvswitch: Bool
    /// VLAN tag (1–4094), with `openvswitch`.
    public var vlan: Int?
    /// Whether QEMU offers the guest checksum offload (and with it TSO). Off for ports of Open
    /// vSwitch's userspace datapath: it forwards a guest's frames as they are, so a TCP segment whose
    /// checksum the guest left to "hardware" arrives with a wrong one and is dropped (ping still works).
    public var checksumOffload: Bool = true

    /// True for QEMU user-mode networking (`.user`).
    public var isUserMode: Bool {
        if case .user = source { return true }
        return false
    }

    /// The libvirt network's name, or nil for a bridge or direct NIC.
    public var network: String? {
        if case .network(let name) = source { return name }
        return nil
    }

    public init(network: String, mac: String? = nil, model: String = "virtio") {
        self.init(source: .network(network), mac: mac, model: model)
    }

    public init(source: Source, mac: String? = nil, model: String = "virtio", openvswitch: Bool = false, vlan: Int? = nil) {
        self.source = source
        self.mac = mac
        self.model = model
        self.openvswitch = openvswitch
        self.vlan = vlan
    }
}

/// libvirt's `<on_reboot>` action.
public enum RebootAction: String, Sendable, Equatable {
    /// Reboot the guest (what a machine does).
    case restart
    /// Stop the domain: the reboot ends QEMU and the domain is shut off.
    case destroy
}

/// The x86 machine type.
public enum MachineType: String, Sendable, Equatable {
    /// i440FX: what vagrant-libvirt uses by default; works with any box.
    case pc
    /// Q35: PCIe, newer chipsets.
    case q35
}

/// Host page-cache use for the disk.
public enum DiskCache: String, Sendable, Equatable {
    /// Host page cache, honours guest flushes: fast and safe. Default.
    case writeback
    /// Ignores guest flushes: fastest, loses data on host crash. For throwaway build machines.
    case unsafe
    /// No host page cache (O_DIRECT).
    case none
}

/// An extra disk attached after the root disk (vdb, vdc, …).
public struct DiskSpec: Sendable, Equatable {
    /// Path of the image on the daemon's host.
    public var path: String
    /// Image format.
    public var format: VolumeFormat

    public init(path: String, format: VolumeFormat = .qcow2) {
        self.path = path
        self.format = format
    }
}

/// Boot a kernel directly (no bootloader in the image), as the tiny test box does.
public struct DirectKernelBoot: Sendable, Equatable {
    /// Kernel image path on the daemon's host.
    public var kernel: String
    /// Initrd path, if any.
    public var initrd: String?
    /// Kernel command line, e.g. `root=/dev/vda console=ttyS0`.
    public var cmdline: String

    public init(kernel: String, initrd: String? = nil, cmdline: String) {
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
    }
}

/// Everything needed to write a vmfile domain's XML. Validated in `init`.
public struct DomainSpec: Sendable, Equatable {
    /// Domain name, e.g. `vmfile-<project-id>-<machine>`.
    public var name: String
    /// A fixed UUID (keeps the same identity across redefinitions); nil lets libvirt pick one.
    public var uuid: String?
    /// Memory in MiB.
    public var memoryMiB: Int
    /// Virtual CPUs.
    public var cpus: Int
    /// KVM or TCG.
    public var accelerator: Accelerator
    /// Machine type.
    public var machine: MachineType
    /// Path of the root disk (a qcow2 overlay volume) on the daemon's host.
    public var diskPath: String
    /// Disk image format.
    public var diskFormat: VolumeFormat
    /// Disk cache mode.
    public var diskCache: DiskCache
    /// Network interfaces, in guest order.
    public var nics: [NICSpec]
    /// File the serial console is logged to (on the daemon's host); nil for no log.
    public var serialLogPath: String?
    /// Further disks (vdb, vdc, …).
    public var additionalDisks: [DiskSpec] = []
    /// An ISO attached as a SATA/IDE CD-ROM (installer media for the Builder); nil for none.
    public var cdromPath: String?
    /// Further CD-ROMs after `cdromPath` (a `cidata` seed for an installer); never booted from.
    public var additionalCDROMs: [String] = []
    /// Boot from the CD-ROM first (then the disk) when `cdromPath` is set; false boots the disk first
    /// and falls through to the CD-ROM while the disk has no boot code (an installer's first boot).
    public var bootFromCDROM: Bool = false
    /// What a guest-initiated reboot does: restart (default), or power the domain off, which is how the
    /// Builder sees that an installer finished and rebooted.
    public var onReboot: RebootAction = .restart
    /// Direct kernel boot instead of the disk's bootloader; nil for a normal BIOS boot.
    public var directKernelBoot: DirectKernelBoot?
    /// The guest's hostname, offered at boot as the SMBIOS OEM string
    /// `io.systemd.credential:system.hostname=NAME` (systemd reads it; so does the tiny box), so a guest
    /// can carry its name from first boot (and into its DHCP request); nil offers none.
    public var hostname: String?
    /// The QEMU binary on the daemon's host; nil lets libvirt pick its default for the machine type.
    public var emulator: String?
    /// Host directories shared with the guest (virtiofs, 9p). A virtiofs one backs guest memory with
    /// shared memfd pages, which virtiofsd maps.
    public var filesystems: [FilesystemSpec] = []
    /// Run this domain's QEMU as root (DAC label `+0:+0`, no relabelling) instead of the daemon's
    /// QEMU user: 9p in passthrough mode creates guest files with the owners the guest asks for.
    public var qemuAsRoot: Bool = false
    /// vmfile metadata (`project`, `machine`, `box`, `boxVersion`, …) written as attributes of
    /// `<vmfile:machine>` in the domain's `<metadata>`. Keys must be XML names.
    public var metadata: [String: String]

    /// Creates a spec.
    /// - Throws: `.invalidSpec` for an empty name, fewer than 1 CPU, less than 16 MiB or bad metadata keys.
    public init(
        name: String, uuid: String? = nil, memoryMiB: Int, cpus: Int, accelerator: Accelerator,
        machine: MachineType = .pc, diskPath: String, diskFormat: VolumeFormat = .qcow2, diskCache: DiskCache = .writeback,
        nics: [NICSpec] = [], serialLogPath: String? = nil, metadata: [String: String] = [:]
    ) throws(HypervisorError) {
        guard !name.isEmpty, !name.contains("/") else {
            throw HypervisorError(.invalidSpec, "Domain name '\(name)' is invalid: it must be non-empty and contain no '/'")
        }
        guard cpus >= 1 else { throw HypervisorError(.invalidSpec, "Domain \(name): cpus must be at least 1, got \(cpus)") }
        guard memoryMiB >= 16 else { throw HypervisorError(.invalidSpec, "Domain \(name): memory must be at least 16 MiB, got \(memoryMiB)") }
        for key in metadata.keys where !Self.isXMLName(key) {
            throw HypervisorError(.invalidSpec, "Domain \(name): metadata key '\(key)' is not a valid XML attribute name")
        }
        self.name = name
        self.uuid = uuid
        self.memoryMiB = memoryMiB
        self.cpus = cpus
        self.accelerator = accelerator
        self.machine = machine
        self.diskPath = diskPath
        self.diskFormat = diskFormat
        self.diskCache = diskCache
        self.nics = nics
        self.serialLogPath = serialLogPath
        self.metadata = metadata
    }

    static func isXMLName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return key.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "." }
    }
}

/// A host directory shared with the guest as a `<filesystem>` device, mounted by `tag`.
public struct FilesystemSpec: Sendable, Equatable {
    /// How the directory reaches the guest.
    public enum Driver: Sendable, Equatable {
        /// virtiofsd (`binary`) serves it over vhost-user; needs shared guest memory.
        case virtiofs(binary: String)
        /// QEMU's virtio-9p with this access mode (`passthrough`: host owners as the guest sets them,
        /// needs QEMU as root; `mapped`: guest owners kept in xattrs, for unprivileged QEMU).
        case ninep(accessMode: String)
    }

    /// Host directory (on the daemon's host).
    public var source: String
    /// The mount tag the guest names (`mount -t virtiofs TAG`); at most 31 bytes.
    public var tag: String
    public var driver: Driver

    public init(source: String, tag: String, driver: Driver) {
        self.source = source
        self.tag = tag
        self.driver = driver
    }

    /// Whether the driver needs the guest's memory shared with another process (virtiofsd).
    public var needsSharedMemory: Bool {
        if case .virtiofs = driver { return true }
        return false
    }
}
