import HostSupport

/// The kind of `ProvisionError`.
public enum ProvisionErrorKind {}

/// A failure running shell steps or first-contact setup on a guest: what failed, on which machine or
/// build, and what to do next.
public typealias ProvisionError = CodedError<ProvisionErrorKind>

extension ErrorCode where Kind == ProvisionErrorKind {
    /// The guest could not be reached or refused a command vmfile needs.
    public static let guest = Self("guest")
    /// A provision step exited non-zero.
    public static let provisionFailed = Self("provision-failed")
    /// The guest did not come back in time after a reboot step.
    public static let bootTimeout = Self("boot-timeout")
    /// A step cannot run as written (its script file is unreadable).
    public static let invalidArgument = Self("invalid-argument")
}
