import HostSupport
import Provisioner

/// The kind of `LifecycleError`.
public enum LifecycleErrorKind {}

/// The one error type of machine lifecycle operations: a code, a message saying what and which
/// machine, a hint saying what to do next, and the underlying cause when there is one.
public typealias LifecycleError = CodedError<LifecycleErrorKind>

extension ErrorCode where Kind == LifecycleErrorKind {
    public static let invalidArgument = Self("invalid-argument")
    public static let boxMissing = Self("box-missing")
    public static let notCreated = Self("not-created")
    public static let bootTimeout = Self("boot-timeout")
    public static let guest = Self("guest")
    /// A provision step exited non-zero.
    public static let provisionFailed = Self("provision-failed")
    public static let hypervisor = Self("hypervisor")
    public static let failedMachines = Self("failed-machines")
    public static let portConflict = Self("port-conflict")
    public static let networkConflict = Self("network-conflict")
    /// The Vmfile asks for something this connection cannot do (e.g. root networking in session mode).
    public static let unsupported = Self("unsupported")
    /// A host facility the Vmfile needs is missing (e.g. Open vSwitch not running).
    public static let unavailable = Self("unavailable")
}

/// Runs `body`, passing a `ProvisionError` on as a `LifecycleError` with the same code, message and
/// hint (the Provisioner's codes `guest`, `provision-failed`, `boot-timeout` and `invalid-argument` are
/// Lifecycle codes too), so every machine operation throws one error type.
func asLifecycleError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ProvisionError {
        throw LifecycleError(error)
    }
}
