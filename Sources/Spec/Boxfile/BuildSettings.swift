/// `iso:` — the installer image and the checksum it must have.
public struct ISOSource: Codable, Sendable, Equatable {
    /// Where the image comes from.
    public enum Location: Codable, Sendable, Equatable {
        /// `url:` — `http`, `https` or `file` URL, downloaded through the box downloader.
        case url(String)
        /// `path:` — a local file, absolute after loading (resolved against the Boxfile's directory).
        case path(String)
    }

    public var location: Location
    public var checksum: ISOChecksum

    public init(location: Location, checksum: ISOChecksum) {
        self.location = location
        self.checksum = checksum
    }

    /// The image's file name (last component of the URL or path), the name looked up in a checksum list.
    public var fileName: String {
        let text: String
        switch location {
        case .url(let url): text = String(url.split(separator: "?", maxSplits: 1).first ?? "")
        case .path(let path): text = path
        }
        return text.split(separator: "/").last.map(String.init) ?? text
    }
}

/// `iso.checksum` — required: a build never boots an image it has not verified.
public enum ISOChecksum: Codable, Sendable, Equatable {
    /// `sha256:<64 hex digits>`, stored in lower case.
    case sha256(String)
    /// `file:<URL or path>` — a `SHA256SUMS` list (as Packer's `file:`); the line for the ISO's
    /// `fileName` gives the digest. A path is absolute after loading.
    case list(ISOSource.Location)
}

/// `boot:` — what happens between power-on and the installer doing its work.
public struct BootSettings: Codable, Sendable, Equatable {
    /// Time between starting the machine and typing the first key (default 10 s, Packer's `boot_wait`).
    /// `<waitFor "…">` in the command is the better way to wait for a prompt.
    public var wait: Duration
    /// The keys to type, in order; empty when the installer needs none.
    public var command: [BootStep]

    public init(wait: Duration = BootSettings.defaultWait, command: [BootStep] = []) {
        self.wait = wait
        self.command = command
    }

    public static let defaultWait = Duration.seconds(10)
}

/// `http:` — files served to the installer while the build runs (`{{ .HTTPIP }}:{{ .HTTPPort }}`).
public enum HTTPFiles: Codable, Sendable, Equatable {
    /// `directory:` — every file below it (absolute path), served as stored.
    case directory(String)
    /// `content:` — URL path (without the leading `/`) → file text, templated.
    case content([String: Template])
}

/// `cd:` — a CD image made with xorriso or genisoimage and attached to the build machine.
public struct CDFiles: Codable, Sendable, Equatable {
    /// `files:` — files and directories (absolute) copied to the CD's root, in order.
    public var files: [String]
    /// `content:` — file name on the CD → file text, templated (as Packer's `cd_content`).
    public var content: [String: Template]
    /// Volume label (default `cidata`, what cloud-init's NoCloud source looks for).
    public var label: String

    public init(files: [String] = [], content: [String: Template] = [:], label: String = CDFiles.defaultLabel) {
        self.files = files
        self.content = content
        self.label = label
    }

    public static let defaultLabel = "cidata"
}

/// `ssh:` — how the builder logs in to the installed system.
public struct BuildSSH: Codable, Sendable, Equatable {
    /// How the builder authenticates.
    public enum Credential: Codable, Sendable, Equatable {
        /// `password:`.
        case password(String)
        /// `private_key:` — a key file, absolute after loading.
        case privateKey(String)
        /// Neither given: Vagrant's insecure key, as a Vagrant-style user has it.
        case vagrantInsecureKey
    }

    /// Login user (default `vagrant`).
    public var username: String
    public var credential: Credential
    /// Guest SSH port (default 22).
    public var port: Int
    /// How long the install may take until SSH answers, counted from power-on (default 30 min: Packer's
    /// 5 min `ssh_timeout` is the first thing everyone raises for a real install).
    public var timeout: Duration
    /// Try SSH only after the installer rebooted into the installed system (default true), so the
    /// installer's own sshd is never mistaken for the result.
    public var waitForReboot: Bool

    public init(username: String = "vagrant", credential: Credential = .vagrantInsecureKey, port: Int = 22,
                timeout: Duration = BuildSSH.defaultTimeout, waitForReboot: Bool = true) {
        self.username = username
        self.credential = credential
        self.port = port
        self.timeout = timeout
        self.waitForReboot = waitForReboot
    }

    /// The `password:` given, if any.
    public var password: String? {
        if case .password(let text) = credential { text } else { nil }
    }

    public static let defaultTimeout = Duration.seconds(30 * 60)
}

/// `shutdown:` — how the installed system is stopped before it is packaged.
public struct ShutdownSettings: Codable, Sendable, Equatable {
    /// Run over SSH like a privileged provision step (as root); nil (default) presses the ACPI power
    /// button through libvirt instead.
    public var command: String?
    /// How long the guest may take to power off before the build fails (default 5 min, as Packer).
    public var timeout: Duration
    /// Run `fstrim` as root over SSH first (default true; every file system, or `/` with busybox's): the build disk passes discards through, so the
    /// blocks the install and provision steps freed are not copied into the box.
    public var trim: Bool

    public init(command: String? = nil, timeout: Duration = ShutdownSettings.defaultTimeout, trim: Bool = true) {
        self.command = command
        self.timeout = timeout
        self.trim = trim
    }

    public static let defaultTimeout = Duration.seconds(5 * 60)
}

/// `output:` — where the `.box` goes.
public struct OutputSettings: Codable, Sendable, Equatable {
    /// Directory of the `.box` and its `.sha256` (absolute; default `output` next to the Boxfile;
    /// `vmfile build --output DIR` overrides it).
    public var directory: String
    /// Also write a Vagrant catalog JSON entry for the box (default false).
    public var catalog: Bool

    public init(directory: String, catalog: Bool = false) {
        self.directory = directory
        self.catalog = catalog
    }

    public static let defaultDirectory = "output"
}
