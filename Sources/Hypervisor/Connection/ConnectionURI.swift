#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a libvirt connection URI came from, in order of precedence.
public enum ConnectionURISource: String, Sendable, Equatable {
    /// `--connect` on the command line.
    case explicit
    /// The `VMFILE_LIBVIRT_URI` environment variable.
    case environment
    /// `libvirt.uri` in the Vmfile.
    case vmfile
    /// The default: system when root or when the system socket is reachable, else session.
    case defaultSystem
    /// The default when neither root nor able to reach the system daemon.
    case defaultSession
}

/// The facts URI resolution depends on; gathered by `ConnectionURIInputs.current(...)`, injected by tests.
public struct ConnectionURIInputs: Sendable, Equatable {
    /// The `--connect` value, if any.
    public var explicit: String?
    /// The `VMFILE_LIBVIRT_URI` value, if any.
    public var environment: String?
    /// The Vmfile's `libvirt.uri`, if any.
    public var vmfile: String?
    /// True when running as root (euid 0).
    public var isRoot: Bool
    /// True when a system daemon socket accepts connections.
    public var systemSocketReachable: Bool

    public init(explicit: String? = nil, environment: String? = nil, vmfile: String? = nil, isRoot: Bool, systemSocketReachable: Bool) {
        self.explicit = explicit
        self.environment = environment
        self.vmfile = vmfile
        self.isRoot = isRoot
        self.systemSocketReachable = systemSocketReachable
    }

    /// The system daemon sockets probed for `systemSocketReachable`, monolithic and modular daemons.
    public static let systemSockets = ["/var/run/libvirt/libvirt-sock", "/var/run/libvirt/virtqemud-sock"]

    /// Gathers the facts from this process: its environment, euid and the system sockets. The sockets
    /// are probed only when the answer decides the URI (not root, no URI given): a probe costs the daemon
    /// a client connection and every short command a round trip. Tests pass `isRoot` and
    /// `systemSocketReachable` instead of this process's.
    public static func current(
        explicit: String?, vmfile: String?, environment: [String: String],
        isRoot: Bool = geteuid() == 0, systemSocketReachable: () -> Bool = ConnectionURIInputs.systemSocketAccepts
    ) -> ConnectionURIInputs {
        var inputs = ConnectionURIInputs(
            explicit: explicit,
            environment: environment["VMFILE_LIBVIRT_URI"],
            vmfile: vmfile,
            isRoot: isRoot,
            systemSocketReachable: false
        )
        if ResolvedConnectionURI.resolve(inputs).source == .defaultSession {
            inputs.systemSocketReachable = systemSocketReachable()
        }
        return inputs
    }

    /// True when one of `systemSockets` accepts a connection.
    public static func systemSocketAccepts() -> Bool {
        systemSockets.contains(where: unixSocketAccepts)
    }

    /// True when a UNIX stream socket at `path` accepts a connection (closed immediately).
    static func unixSocketAccepts(_ path: String) -> Bool {
        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}

/// A resolved libvirt URI and where it came from.
public struct ResolvedConnectionURI: Sendable, Equatable {
    /// The URI to open, e.g. `qemu:///system`.
    public var uri: String
    /// Which rule picked it.
    public var source: ConnectionURISource
    /// What to open when `uri` refuses the connection: set for a non-root user whose default is the
    /// system daemon only because its socket accepts connections (Debian's socket is world-writable
    /// and polkit, or the `libvirt` group, decides), so a user the daemon turns away gets the session.
    public var fallback: String?

    public init(uri: String, source: ConnectionURISource, fallback: String? = nil) {
        self.uri = uri
        self.source = source
        self.fallback = fallback
    }

    /// Resolves the URI: explicit > environment > Vmfile > `qemu:///system` when root or the system
    /// socket is reachable (falling back to the session when it refuses a non-root user) >
    /// `qemu:///session`. Empty or blank values count as unset. Pure.
    public static func resolve(_ inputs: ConnectionURIInputs) -> ResolvedConnectionURI {
        func present(_ value: String?) -> String? {
            guard let value else { return nil }
            let trimmed = value.trimmingWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        }
        if let uri = present(inputs.explicit) { return .init(uri: uri, source: .explicit) }
        if let uri = present(inputs.environment) { return .init(uri: uri, source: .environment) }
        if let uri = present(inputs.vmfile) { return .init(uri: uri, source: .vmfile) }
        if inputs.isRoot { return .init(uri: "qemu:///system", source: .defaultSystem) }
        if inputs.systemSocketReachable { return .init(uri: "qemu:///system", source: .defaultSystem, fallback: "qemu:///session") }
        return .init(uri: "qemu:///session", source: .defaultSession)
    }
}

/// What vmfile needs to know about a URI without asking libvirt.
public struct ConnectionURIInfo: Sendable, Equatable {
    /// True when the URI names this host (no host part, or `localhost`), so host-local files are the
    /// daemon's files.
    public var isLocal: Bool
    /// True for a per-user session daemon (`…/session`).
    public var isSession: Bool

    /// Parses `uri` (`driver[+transport]://[user@][host][:port]/path[?query]`).
    public init(_ uri: String) {
        var rest = Substring(uri)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host = authority.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        var path = rest[authorityEnd...]
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        let scheme = uri.split(separator: ":", maxSplits: 1).first ?? ""
        let hasTransport = scheme.contains("+") && !scheme.hasSuffix("+unix")
        self.isLocal = (host.isEmpty || host == "localhost") && !hasTransport
        self.isSession = path == "/session"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
