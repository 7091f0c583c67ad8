/// One machine of a Vmfile, with `defaults:` merged in and built-in defaults applied.
public struct Machine: Codable, Sendable, Equatable {
    /// Machine name (a valid hostname label); key of the `machines:` map.
    public var name: String
    /// Box name, e.g. `tiny` or `debian/bookworm64`.
    public var box: String
    /// Version constraint on the box, e.g. `">= 1.2, < 2"`; nil accepts any version.
    public var boxVersion: VersionConstraint?
    /// Where to fetch the box (catalog JSON or `.box` file/URL) when it is not in the store.
    public var boxURL: String?
    /// Virtual CPUs (default 1).
    public var cpus: Int
    /// Memory in MiB (default 512).
    public var memoryMiB: Int
    /// Disk size in bytes to grow the machine disk to; nil keeps the box's virtual size.
    public var diskBytes: UInt64?
    /// Guest hostname; defaults to the machine name.
    public var hostname: String
    /// The machine `vmfile ssh` picks when none is named.
    public var primary: Bool
    /// Whether `vmfile up` without names starts it (default true).
    public var autostart: Bool
    public var forwardedPorts: [ForwardedPort]
    public var networks: [MachineNetwork]
    public var syncedFolders: [SyncedFolder]
    /// The machine's own provision steps (global steps run first).
    public var provision: [ProvisionStep]
    public var ssh: SSHSettings
    /// Seconds to wait for the guest to answer SSH (default 300).
    public var bootTimeout: Int
    /// Seconds to wait for an ACPI shutdown before forcing off (default 60).
    public var gracefulHaltTimeout: Int

    public init(
        name: String,
        box: String,
        boxVersion: VersionConstraint? = nil,
        boxURL: String? = nil,
        cpus: Int = Machine.defaultCPUs,
        memoryMiB: Int = Machine.defaultMemoryMiB,
        diskBytes: UInt64? = nil,
        hostname: String? = nil,
        primary: Bool = false,
        autostart: Bool = true,
        forwardedPorts: [ForwardedPort] = [],
        networks: [MachineNetwork] = [],
        syncedFolders: [SyncedFolder] = [],
        provision: [ProvisionStep] = [],
        ssh: SSHSettings = SSHSettings(),
        bootTimeout: Int = Machine.defaultBootTimeout,
        gracefulHaltTimeout: Int = Machine.defaultGracefulHaltTimeout
    ) {
        self.name = name
        self.box = box
        self.boxVersion = boxVersion
        self.boxURL = boxURL
        self.cpus = cpus
        self.memoryMiB = memoryMiB
        self.diskBytes = diskBytes
        self.hostname = hostname ?? name
        self.primary = primary
        self.autostart = autostart
        self.forwardedPorts = forwardedPorts
        self.networks = networks
        self.syncedFolders = syncedFolders
        self.provision = provision
        self.ssh = ssh
        self.bootTimeout = bootTimeout
        self.gracefulHaltTimeout = gracefulHaltTimeout
    }

    public static let defaultCPUs = 1
    public static let defaultMemoryMiB = 512
    public static let minimumMemoryMiB = 64
    public static let defaultBootTimeout = 300
    public static let defaultGracefulHaltTimeout = 60
}

/// `forwarded_ports:` entry — a host port that reaches a guest port.
public struct ForwardedPort: Codable, Sendable, Equatable {
    public enum TransportProtocol: String, Codable, Sendable, CaseIterable {
        case tcp, udp
    }

    public var guest: Int
    public var host: Int
    public var `protocol`: TransportProtocol
    /// Host address to bind (default 127.0.0.1).
    public var hostIP: String
    /// Pick a free host port when `host` is taken, and report it.
    public var autoCorrect: Bool
    /// Stable identifier; defaults to `<protocol><guest>` (e.g. `tcp80`).
    public var id: String

    public init(
        guest: Int,
        host: Int,
        protocol: TransportProtocol = .tcp,
        hostIP: String = "127.0.0.1",
        autoCorrect: Bool = false,
        id: String? = nil
    ) {
        self.guest = guest
        self.host = host
        self.protocol = `protocol`
        self.hostIP = hostIP
        self.autoCorrect = autoCorrect
        self.id = id ?? "\(`protocol`.rawValue)\(guest)"
    }
}

/// `networks:` entry of a machine: a private (named) or public (bridged / macvtap) NIC.
public enum MachineNetwork: Codable, Sendable, Equatable {
    case `private`(PrivateAttachment)
    case `public`(PublicAttachment)
}

/// `- private: NAME` with a static `ip:` or `dhcp: true`.
public struct PrivateAttachment: Codable, Sendable, Equatable {
    /// Name of a network declared under top-level `networks:`.
    public var network: String
    /// Static IPv4 address; nil means DHCP.
    public var ip: String?
    /// Also configure the address over SSH on guests that don't DHCP this NIC (default true).
    public var autoConfig: Bool

    public init(network: String, ip: String? = nil, autoConfig: Bool = true) {
        self.network = network
        self.ip = ip
        self.autoConfig = autoConfig
    }
}

/// `- public:` with `bridge:` (existing host bridge) or `dev:` + `mode:` (macvtap).
public struct PublicAttachment: Codable, Sendable, Equatable {
    public enum MacvtapMode: String, Codable, Sendable, CaseIterable {
        case bridge, vepa, `private`
    }

    public var bridge: String?
    public var dev: String?
    public var mode: MacvtapMode?
    /// Static IPv4 address, set over SSH (the network's DHCP is not ours to reserve in); nil means DHCP.
    public var ip: String?
    /// Netmask of `ip` in dotted form (default `255.255.255.0`, as in Vagrant).
    public var netmask: String?
    /// Configure `ip` over SSH on Linux guests (default true).
    public var autoConfig: Bool

    public init(bridge: String? = nil, dev: String? = nil, mode: MacvtapMode? = nil, ip: String? = nil,
                netmask: String? = nil, autoConfig: Bool = true) {
        self.bridge = bridge
        self.dev = dev
        self.mode = mode
        self.ip = ip
        self.netmask = netmask
        self.autoConfig = autoConfig
    }

    /// The prefix length of `netmask` (24 when unset); nil for a mask that is not contiguous ones.
    public var prefixLength: Int? {
        guard let netmask else { return 24 }
        guard let mask = IPv4Address(netmask) else { return nil }
        let ones = (~mask.value).leadingZeroBitCount
        return ones > 0 && mask.value == UInt32.max << UInt32(32 - ones) ? ones : nil
    }
}

/// `synced_folders:` entry (Vagrant's `config.vm.synced_folder`).
public struct SyncedFolder: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case rsync, virtiofs, nfs, ninep = "9p"

        /// Whether the guest mounts the folder (shared live) rather than receiving a copy.
        public var isMounted: Bool { self != .rsync }
    }

    /// Host path, resolved against the Vmfile's directory.
    public var host: String
    /// Absolute guest path (not `/`).
    public var guest: String
    public var type: Kind
    public var disabled: Bool
    /// rsync only: guest user owning the copy; nil: the SSH user.
    public var owner: String?
    /// rsync only: guest group owning the copy; nil: the owner's primary group.
    public var group: String?
    /// Create the host directory at `up` when it is missing (default false, as in Vagrant).
    public var create: Bool
    /// Extra `mount -o` options for mounted types (virtiofs, 9p, nfs).
    public var mountOptions: [String]
    /// rsync only: patterns passed as `--exclude` (default `.git/`, as in Vagrant).
    public var exclude: [String]
    /// rsync only: arguments replacing the defaults (`--archive --delete`); nil keeps the defaults.
    public var args: [String]?

    /// The excludes of an rsync folder that declares none.
    public static let defaultExcludes = [".git/"]

    public init(host: String, guest: String, type: Kind = .rsync, disabled: Bool = false, owner: String? = nil,
                group: String? = nil, create: Bool = false, mountOptions: [String] = [],
                exclude: [String] = SyncedFolder.defaultExcludes, args: [String]? = nil) {
        self.host = host
        self.guest = guest
        self.type = type
        self.disabled = disabled
        self.owner = owner
        self.group = group
        self.create = create
        self.mountOptions = mountOptions
        self.exclude = exclude
        self.args = args
    }
}

/// `ssh:` — how vmfile reaches the guest.
public struct SSHSettings: Codable, Sendable, Equatable {
    /// Login user (default `vagrant`).
    public var username: String
    /// Guest SSH port (default 22).
    public var port: Int
    /// Private key for first contact; nil means Vagrant's insecure keys.
    public var privateKey: String?
    /// Replace the insecure key with a generated per-machine key on first `up` (default true).
    public var insertKey: Bool

    public init(username: String = "vagrant", port: Int = 22, privateKey: String? = nil, insertKey: Bool = true) {
        self.username = username
        self.port = port
        self.privateKey = privateKey
        self.insertKey = insertKey
    }
}
