internal import CLibvirt
import Logging

/// An open libvirt connection. Owns its `virConnectPtr`, closes it exactly once in `deinit`, and
/// reaches it only inside `withPointer`.
///
/// `@unchecked Sendable`: libvirt documents `virConnectPtr` as safe to use from several threads at
/// once (since 0.6.0; `virInitialize` is called before the first open), the pointer is immutable after
/// `init`, and every error is read from libvirt's thread-local last error in the same call that
/// failed, so no state here is shared between threads without libvirt's own locking.
public final class LibvirtConnection: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// The URI this connection was opened with.
    public let uri: String
    /// What the URI says about host locality (local files usable?) and session vs system.
    public let uriInfo: ConnectionURIInfo
    let logger: Logger

    /// Opens a read-write connection to `uri`.
    /// - Throws: `HypervisorError` with libvirt's reason and a hint (daemon not running, permissions).
    public convenience init(uri: String, logger: Logger = Logger(label: "vmfile.hypervisor")) throws(HypervisorError) {
        self.init(adopting: try Self.open(uri), uri: uri, logger: logger)
    }

    private init(adopting pointer: OpaquePointer, uri: String, logger: Logger) {
        self.pointer = pointer
        self.uri = uri
        self.uriInfo = ConnectionURIInfo(uri)
        self.logger = logger
    }

    private static func open(_ uri: String) throws(HypervisorError) -> OpaquePointer {
        Libvirt.initialize()
        return try Libvirt.pointer(
            "Connecting to libvirt at \(uri)",
            hint: "Is libvirtd running? Start it with `systemctl start libvirtd`, or `virtlogd -d && libvirtd -d` where no init system runs (scripts/setup does this); check that you may use it, or pick another URI with --connect / VMFILE_LIBVIRT_URI"
        ) { virConnectOpen(uri) }
    }

    /// Opens a resolved URI; a default system connection the daemon refuses to a non-root user becomes
    /// that user's session (`resolved.fallback`).
    public convenience init(resolved: ResolvedConnectionURI, logger: Logger = Logger(label: "vmfile.hypervisor")) throws(HypervisorError) {
        var uri = resolved.uri
        let pointer: OpaquePointer
        do {
            pointer = try Self.open(uri)
        } catch {
            guard let fallback = resolved.fallback else { throw error }
            logger.debug("\(uri) refused this user (\(error)); using \(fallback)")
            uri = fallback
            pointer = try Self.open(uri)
        }
        self.init(adopting: pointer, uri: uri, logger: logger)
    }

    deinit {
        virConnectClose(pointer)
    }

    /// Runs `body` with the raw connection pointer. The pointer must not escape `body`.
    @discardableResult
    func withPointer<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        try body(pointer)
    }

    /// True while the connection to the daemon is alive.
    public var isAlive: Bool {
        withPointer { virConnectIsAlive($0) == 1 }
    }

    /// The libvirt library version on this side, e.g. `9.0.0`.
    public var libraryVersion: String {
        var version: UInt = 0
        guard virGetVersion(&version, nil, nil) == 0 else { return "unknown" }
        return "\(version / 1_000_000).\(version / 1_000 % 1_000).\(version % 1_000)"
    }

    /// The hypervisor's hostname as libvirt reports it.
    public func hostname() throws(HypervisorError) -> String {
        try withPointer { connection throws(HypervisorError) in
            try Libvirt.string("Reading the hostname of \(uri)") { virConnectGetHostname(connection) }
        }
    }
}
