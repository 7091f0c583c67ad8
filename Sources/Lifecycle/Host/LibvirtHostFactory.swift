import Boxes
import Foundation
import HostSupport
import Hypervisor

/// The one way a command reaches libvirt: resolves the connection URI, opens it, and builds the
/// `LibvirtMachineHost` on it.
///
/// The URI is `--connect`, else `VMFILE_LIBVIRT_URI`, else the Vmfile's `libvirt.uri`, else
/// `qemu:///system` when root or when the system daemon's socket is reachable (falling back to
/// `qemu:///session` when that daemon refuses a non-root user), else `qemu:///session`. Making a
/// factory probes and opens nothing: each method does its work when called, so a command that needs
/// no libvirt pays nothing for it.
public struct LibvirtHostFactory: Sendable {
    /// The facts about this process the default URI depends on; tests inject their own.
    public struct Probe: Sendable {
        /// True when running as root.
        public var isRoot: @Sendable () -> Bool
        /// True when a system daemon socket accepts connections; asked only when the answer decides the URI.
        public var systemSocketReachable: @Sendable () -> Bool

        /// A probe answering with `isRoot` and `systemSocketReachable`.
        public init(isRoot: @escaping @Sendable () -> Bool, systemSocketReachable: @escaping @Sendable () -> Bool) {
            self.isRoot = isRoot
            self.systemSocketReachable = systemSocketReachable
        }

        /// This process: its effective uid and the system daemon sockets.
        public static let live = Probe(isRoot: { geteuid() == 0 }, systemSocketReachable: { ConnectionURIInputs.systemSocketAccepts() })
    }

    /// The `--connect` value, if given.
    public let explicitURI: String?
    /// The Vmfile's `libvirt.uri`, if a Vmfile was loaded and sets one.
    public let vmfileURI: String?
    /// Where `VMFILE_LIBVIRT_URI`, `VMFILE_HOME`, `VMFILE_ACCEL` and `VMFILE_EMULATOR` are read.
    public let environment: [String: String]
    private let probe: Probe

    /// A factory for these choices; nothing is probed or opened yet.
    public init(explicitURI: String?, vmfileURI: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment, probe: Probe = .live) {
        self.explicitURI = explicitURI
        self.vmfileURI = vmfileURI
        self.environment = environment
        self.probe = probe
    }

    /// The same choices, with the loaded Vmfile's `libvirt.uri`.
    public func with(vmfileURI: String?) -> LibvirtHostFactory {
        LibvirtHostFactory(explicitURI: explicitURI, vmfileURI: vmfileURI, environment: environment, probe: probe)
    }

    /// The URI `connect()` opens first, the rule that chose it, and what it falls back to. Probes the
    /// system socket only when no URI was given and this process is not root.
    public func resolveURI() -> ResolvedConnectionURI {
        ResolvedConnectionURI.resolve(.current(
            explicit: explicitURI, vmfile: vmfileURI, environment: environment,
            isRoot: probe.isRoot(), systemSocketReachable: probe.systemSocketReachable))
    }

    /// Opens a new connection to the resolved URI (or its session fallback).
    /// - Throws: `HypervisorError` saying which URI refused and what to run.
    public func connect() throws -> LibvirtConnection {
        try LibvirtConnection(resolved: resolveURI())
    }

    /// A machine host on a new connection. `defining` detects the accelerator (only commands that may
    /// create machines pay for it) and, on a local system connection, makes sure libvirt's QEMU user
    /// can open `/dev/kvm`; `notice` gets each warning line that comes of either.
    public func machineHost(defining: Bool, notice: (String) -> Void = { _ in }) throws -> LibvirtMachineHost {
        let connection = try connect()
        let accelerator = defining ? try AcceleratorDetector(environment: environment).detect() : nil
        let host = LibvirtMachineHost(
            connection: connection, accelerator: accelerator, lockDirectory: VmfileHome.locks(environment: environment),
            emulator: AcceleratorDetector.emulator(environment: environment))
        if let warning = host.acceleratorWarning { notice("warning: \(warning)") }
        if defining, connection.uriInfo.isLocal, !connection.uriInfo.isSession,
           let line = KVMDeviceAccess.ensureGroupAccess().message {
            notice(line)
        }
        return host
    }

    /// A connection for box commands, or nil when libvirt cannot be reached: a box store is usable
    /// without it, only which machines use which boxes is then unknown.
    public func connectionIfReachable() -> LibvirtConnection? {
        try? connect()
    }

    /// Which machine disks use which box volumes, or nil when libvirt cannot be reached or read.
    /// `warning` gets one line then, but only when `--connect` named the URI: a default daemon that
    /// is not running is not worth a word.
    public func boxUsageIfReachable(warning: (String) -> Void = { _ in }) -> BoxUsage? {
        let resolved = resolveURI()
        do {
            return try BoxUsage.read(try LibvirtConnection(resolved: resolved))
        } catch {
            if let line = Self.usageWarning(uri: resolved.uri, source: resolved.source, error: error) { warning(line) }
            return nil
        }
    }

    /// The line `boxUsageIfReachable` warns with when libvirt at `uri` failed with `error`; nil unless
    /// `--connect` chose `uri`. Uses libvirt's own reason, not its hint, to stay on one line.
    public static func usageWarning(uri: String, source: ConnectionURISource, error: any Error) -> String? {
        guard source == .explicit else { return nil }
        let reason = (error as? HypervisorError)?.libvirtMessage ?? "\(error)"
        let oneLine = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "warning: cannot read box usage from libvirt at \(uri) (\(oneLine)); listing boxes without the machines using them"
    }

    /// How a machine command on `host` carries on after a libvirtd restart: the connection counts as
    /// lost when libvirt says it is no longer alive, and a new host (made as `machineHost(defining:)`
    /// does, its warnings already shown) is opened as soon as libvirt answers again, for up to a minute.
    public func connectionLossRecovery(
        of host: LibvirtMachineHost, defining: Bool,
        controller: @escaping @Sendable (LibvirtMachineHost) -> MachineController
    ) -> ConnectionLossRecovery {
        ConnectionLossRecovery(
            uri: host.connection.uri,
            isLost: { ($0.host as? LibvirtMachineHost)?.connection.isAlive == false },
            reconnect: { controller(try ConnectionLossRecovery.retrying(for: .seconds(60)) { try machineHost(defining: defining) }) })
    }
}
