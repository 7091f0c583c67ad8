/// The shape every vmfile module's error type shares: a code to branch on, a message saying what
/// failed and where, a hint saying what to do next, and the underlying cause when there is one.
///
/// Each module keeps its own concrete type (`BoxError`, `HypervisorError`, `LifecycleError`, `NetError`,
/// `SSHError`, …) with its own codes; the CLI prints any of them the same way through this protocol.
public protocol VmfileError: Error, Sendable, CustomStringConvertible {
    /// The code's stable name, e.g. `locked` or `no-domain` (what `--json` output and tests branch on).
    var codeName: String { get }
    /// What failed and where.
    var message: String { get }
    /// What to do next, when vmfile knows.
    var hint: String? { get }
    /// The error underneath, when this one wraps another.
    var cause: (any Error)? { get }
}

extension VmfileError {
    /// `message`, then `cause:` and `hint:` lines: how vmfile prints an error.
    public var rendered: String {
        var text = message
        if let cause { text += "\n  cause: \(cause)" }
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}
