/// A code a `CodedError` carries: a stable name, typed by the module it belongs to (`Kind`), so a
/// Boxes code cannot be compared with a Lifecycle one. Modules add codes in an extension:
/// `extension ErrorCode where Kind == BoxErrorKind { static let notFound = Self("not-found") }`.
public struct ErrorCode<Kind>: Hashable, Sendable, CustomStringConvertible {
    /// The stable name, e.g. `not-found`.
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }
}

/// The error type most modules use as their own (`BoxError`, `LifecycleError`, `NetError`, …, each a
/// typealias with its own `Kind`): a code to branch on, a message saying what and where, a hint saying
/// what to do next, and the underlying cause.
public struct CodedError<Kind>: VmfileError {
    /// This module's codes.
    public typealias Code = ErrorCode<Kind>

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

    /// `other` seen as this module's error: same code name, message, hint and cause. For a module that
    /// passes another's error on as its own (Lifecycle's operations throw `LifecycleError` whatever
    /// the Provisioner below them threw), so nobody branches on two types for one failure.
    public init<Other>(_ other: CodedError<Other>) {
        self.init(Code(other.code.name), other.message, hint: other.hint, cause: other.cause)
    }

    public var codeName: String { code.name }
    public var description: String { rendered }
}
