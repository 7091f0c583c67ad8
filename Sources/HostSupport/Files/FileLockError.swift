/// The kind of `FileLockError`.
public enum FileLockErrorKind {}

/// Why a `FileLock` could not be taken: someone else holds it (`.locked`, with `noWait`), or the lock
/// file could not be made or locked (`.io`).
public typealias FileLockError = CodedError<FileLockErrorKind>

extension ErrorCode where Kind == FileLockErrorKind {
    /// Another process holds the lock.
    public static let locked = Self("locked")
    /// The lock file could not be created, opened or locked.
    public static let io = Self("io")
}
