import Foundation

/// A host program could not be started at all (not installed, not executable, out of resources).
public struct SpawnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The program as it was asked for.
    public var executable: String
    /// The `errno` `posix_spawnp` or `pipe` reported.
    public var errno: Int32

    public init(executable: String, errno: Int32) {
        self.executable = executable
        self.errno = errno
    }

    /// True when the program was not found on PATH.
    public var isMissing: Bool { errno == ENOENT }

    public var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
}
