import HostSupport

/// The kind of `BuilderError`.
public enum BuilderErrorKind {}

/// A failed `vmfile build`: what failed, in which build, and what to do next.
public typealias BuilderError = CodedError<BuilderErrorKind>

extension ErrorCode where Kind == BuilderErrorKind {
    /// The Boxfile or a `--var` is wrong.
    public static let invalidBoxfile = Self("invalid-boxfile")
    /// The ISO is missing, unreadable, or not the one the checksum names.
    public static let iso = Self("iso")
    /// Something the Boxfile asks for that this vmfile does not do yet.
    public static let unsupported = Self("unsupported")
    /// A libvirt call failed.
    public static let hypervisor = Self("hypervisor")
    /// The answer-file HTTP server could not start.
    public static let http = Self("http")
    /// A wait (console text, shutoff, SSH) ran out of time.
    public static let timeout = Self("timeout")
    /// SSH or a provision step failed.
    public static let guest = Self("guest")
    /// Writing the `.box` or adding it to the store failed.
    public static let output = Self("output")
    /// Another build of the same Boxfile is running.
    public static let busy = Self("busy")
}
