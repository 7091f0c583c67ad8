/// A `provision:` step: a shell script run in the guest over SSH.
public struct ProvisionStep: Codable, Sendable, Equatable {
    /// When a step runs.
    public enum Run: String, Codable, Sendable, CaseIterable {
        /// First `up` only (until `destroy`), or on demand.
        case once
        /// Every `up` and `reload`.
        case always
        /// Only when asked for with `vmfile provision --step NAME`.
        case never
    }

    /// Where the script comes from.
    public enum Source: Codable, Sendable, Equatable {
        /// `shell:` — the script text itself.
        case inline(String)
        /// `path:` — a script file, absolute after loading (resolved against the Vmfile's directory).
        case path(String)
    }

    /// Step name; defaults to `shell-<index>` (1-based within its list).
    public var name: String
    public var source: Source
    /// Arguments passed to the script, each quoted exactly.
    public var args: [String]
    /// Environment variables exported to the script, in key order.
    public var env: [String: String]
    /// Run as root (default true).
    public var privileged: Bool
    public var run: Run
    /// Reboot the guest after the step and wait for SSH.
    public var reboot: Bool

    public init(
        name: String,
        source: Source,
        args: [String] = [],
        env: [String: String] = [:],
        privileged: Bool = true,
        run: Run = .once,
        reboot: Bool = false
    ) {
        self.name = name
        self.source = source
        self.args = args
        self.env = env
        self.privileged = privileged
        self.run = run
        self.reboot = reboot
    }
}
