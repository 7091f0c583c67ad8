/// A parsed and validated Vmfile with defaults applied: what every other module consumes.
///
/// Produced by `VmfileLoader`; never constructed half-valid. Key names in YAML are snake_case
/// (`box_version`, `forwarded_ports`); the Swift properties are their camelCase forms.
public struct Vmfile: Codable, Sendable, Equatable {
    /// Schema version; only `1` exists.
    public var version: Int
    /// Absolute path of the Vmfile this was read from (empty for in-memory sources).
    public var path: String
    /// Machines in declaration order.
    public var machines: [Machine]
    /// Named private networks in declaration order.
    public var networks: [NetworkDefinition]
    /// libvirt connection settings.
    public var libvirt: LibvirtSettings
    /// Provision steps run on every machine before its own steps.
    public var provision: [ProvisionStep]

    public init(
        version: Int = 1,
        path: String = "",
        machines: [Machine] = [],
        networks: [NetworkDefinition] = [],
        libvirt: LibvirtSettings = LibvirtSettings(),
        provision: [ProvisionStep] = []
    ) {
        self.version = version
        self.path = path
        self.machines = machines
        self.networks = networks
        self.libvirt = libvirt
        self.provision = provision
    }

    /// The machine with this name, if declared.
    public func machine(named name: String) -> Machine? {
        machines.first { $0.name == name }
    }

    /// The network with this name, if declared.
    public func network(named name: String) -> NetworkDefinition? {
        networks.first { $0.name == name }
    }

    /// The machine `vmfile ssh` picks when none is named: the one marked `primary`, else the only one.
    public var primaryMachine: Machine? {
        machines.first(where: \.primary) ?? (machines.count == 1 ? machines.first : nil)
    }
}

/// `libvirt:` — where the machines live.
public struct LibvirtSettings: Codable, Sendable, Equatable {
    /// Connection URI; nil means the DESIGN.md default rules decide.
    public var uri: String?

    public init(uri: String? = nil) {
        self.uri = uri
    }
}
