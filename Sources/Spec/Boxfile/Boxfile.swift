/// A Boxfile: how `vmfile build` turns an installer ISO into a box, validated and with defaults applied.
///
/// Defaults follow Packer's QEMU builder where it has one (1 CPU, 512 MiB, 40 GiB disk, `boot_wait` 10 s,
/// `shutdown_timeout` 5 m) and Vagrant's where it does not (user `vagrant`, port 22).
public struct Boxfile: Codable, Sendable, Equatable {
    /// Always 1 (the only version this vmfile reads).
    public var version: Int
    /// Absolute path of the Boxfile after `BoxfileLoader.load`; as given to `parse` otherwise.
    public var path: String
    public var box: BoxInfo
    public var iso: ISOSource
    /// Virtual CPUs of the build machine (default 1).
    public var cpus: Int
    /// Memory of the build machine in MiB (default 512, as Packer).
    public var memoryMiB: Int
    /// Size of the disk the installer installs onto, in bytes (default 40 GiB, as Packer; qcow2, so sparse).
    public var diskBytes: UInt64
    public var firmware: Firmware
    public var boot: BootSettings
    /// Answer files served over HTTP while the build runs; nil when the Boxfile has no `http:`.
    public var http: HTTPFiles?
    /// An extra CD (e.g. `cidata` for cloud-init) attached to the build machine; nil when there is none.
    public var cd: CDFiles?
    /// `variables:` in file order: user variables for templates, overridable with `--var name=value`.
    public var variables: [BoxfileVariable]
    public var ssh: BuildSSH
    /// Shell steps run over SSH once the installed system is up (the same steps as a Vmfile's).
    public var provision: [ProvisionStep]
    public var shutdown: ShutdownSettings
    /// Compress the box image (`qemu-img convert -c`) after compaction (default true).
    public var compress: Bool
    public var output: OutputSettings

    public init(
        version: Int = 1, path: String = "", box: BoxInfo, iso: ISOSource, cpus: Int = Boxfile.defaultCPUs,
        memoryMiB: Int = Boxfile.defaultMemoryMiB, diskBytes: UInt64 = Boxfile.defaultDiskBytes,
        firmware: Firmware = .bios, boot: BootSettings = BootSettings(), http: HTTPFiles? = nil, cd: CDFiles? = nil,
        variables: [BoxfileVariable] = [], ssh: BuildSSH = BuildSSH(), provision: [ProvisionStep] = [],
        shutdown: ShutdownSettings = ShutdownSettings(), compress: Bool = true, output: OutputSettings
    ) {
        self.version = version
        self.path = path
        self.box = box
        self.iso = iso
        self.cpus = cpus
        self.memoryMiB = memoryMiB
        self.diskBytes = diskBytes
        self.firmware = firmware
        self.boot = boot
        self.http = http
        self.cd = cd
        self.variables = variables
        self.ssh = ssh
        self.provision = provision
        self.shutdown = shutdown
        self.compress = compress
        self.output = output
    }

    public static let defaultCPUs = 1
    public static let defaultMemoryMiB = 512
    public static let defaultDiskBytes: UInt64 = 40 << 30

    /// `{{ .Name }}` in templates: the box name as one host-name label (`debian/bookworm64` →
    /// `debian-bookworm64`), so an answer file can use it as the guest's host name.
    public var buildName: String { HostnameRules.suggestedLabel(for: box.name) }
}

/// `box:` — what the built box is called in the store and in a catalog.
public struct BoxInfo: Codable, Sendable, Equatable {
    /// Box name, e.g. `tiny` or `debian/bookworm64` (at most one `/`).
    public var name: String
    /// Box version (default `0`, what Vagrant gives an unversioned box).
    public var version: BoxVersion
    /// Catalog description; nil when the Boxfile has none.
    public var description: String?

    public init(name: String, version: BoxVersion = BoxVersion(components: [0]), description: String? = nil) {
        self.name = name
        self.version = version
        self.description = description
    }
}

/// `firmware:` of the build machine (and of the box's metadata).
public enum Firmware: String, Codable, Sendable, CaseIterable {
    /// SeaBIOS (default).
    case bios
    /// OVMF; the builder refuses clearly when OVMF is not installed.
    case uefi
}

/// One `variables:` entry.
public struct BoxfileVariable: Codable, Sendable, Equatable {
    public var name: String
    /// The default value; nil (written `name:` with no value) makes the variable required: the build
    /// must get it with `--var name=value`.
    public var defaultValue: String?

    public init(name: String, defaultValue: String?) {
        self.name = name
        self.defaultValue = defaultValue
    }
}
