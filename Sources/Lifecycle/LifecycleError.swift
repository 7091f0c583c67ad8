/// The one error type of machine lifecycle operations: a code, a message saying what and which
/// machine, a hint saying what to do next, and the underlying cause when there is one.
public struct LifecycleError: Error, CustomStringConvertible, Sendable {
    /// Extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let invalidArgument = Code("invalid-argument")
        public static let boxMissing = Code("box-missing")
        public static let notCreated = Code("not-created")
        public static let bootTimeout = Code("boot-timeout")
        public static let guest = Code("guest")
        /// A provision step exited non-zero.
        public static let provisionFailed = Code("provision-failed")
        public static let hypervisor = Code("hypervisor")
        public static let failedMachines = Code("failed-machines")
        public static let portConflict = Code("port-conflict")
        public static let networkConflict = Code("network-conflict")
        /// The Vmfile asks for something this connection cannot do (e.g. root networking in session mode).
        public static let unsupported = Code("unsupported")
        /// A host facility the Vmfile needs is missing (e.g. Open vSwitch not running).
        public static let unavailable = Code("unavailable")
    }

    public let code: Code
    public let message: String
    public let hint: String?
    public let cause: (any Error)?

    public init(_ code: Code, _ message: String, hint: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
    }

    public var description: String {
        var text = message
        if let cause { text += "\n  cause: \(cause)" }
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}
