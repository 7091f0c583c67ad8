#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the process that left a PID in a file name (a staged box add, a build's partial box) is gone,
/// so that what it left may be removed.
public enum ProcessLiveness {
    /// True when no process `pid` exists (`kill(pid, 0)` answers ESRCH); a process of another user counts as alive.
    public static func isGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }
}
