import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawnp`, a clean signal mask and default signal handlers.
///
/// This is the one way vmfile starts host programs (qemu-img, tar, nft, rsync, QEMU, decompressors).
/// Foundation's `Process` lets the child inherit the spawning thread's blocked signals; inside a thread
/// pool that blocks SIGTERM/SIGALRM, QEMU then ignores SIGTERM and its TCG vCPU never gets kicked
/// (measured: the probe guest stalled mid-POST). It also cost ~80 ms per run here (run-loop set-up and
/// termination notification), most of what `box add` spent beyond copying the image.
public final class ChildProcess: @unchecked Sendable {
    // Sendable: `pid` is immutable; the descriptors are handed to one owner, which closes them.

    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe; the parent's end is in `stdinPipe` / `stdoutPipe` / `stderrPipe`.
        case pipe
        /// An open descriptor of the caller's, duplicated into the child (the caller still closes it).
        case descriptor(Int32)
    }

    /// The child's process ID.
    public let pid: pid_t
    /// The parent's (write) end of the child's stdin when it is `.pipe`; the caller closes it.
    public let stdinPipe: Int32?
    /// The parent's (read) end of the child's stdout when it is `.pipe`; the caller closes it.
    public let stdoutPipe: Int32?
    /// The parent's (read) end of the child's stderr when it is `.pipe`; the caller closes it.
    public let stderrPipe: Int32?

    /// Starts `executable` (searched on PATH unless it contains a `/`) with `arguments`.
    public init(_ executable: String, _ arguments: [String], stdin: Stream = .null, stdout: Stream = .null,
                stderr: Stream = .null) throws(SpawnError) {
        var pipes: [(parent: Int32, child: Int32)?] = []
        func closeAll() { pipes.compactMap { $0 }.forEach { close($0.parent); close($0.child) } }
        for (fd, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            guard case .pipe = stream else { pipes.append(nil); continue }
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else {
                let code = errno
                closeAll()
                throw SpawnError(executable: executable, errno: code)
            }
            // Close-on-exec, so other children spawned meanwhile don't hold our pipes open (the
            // dup2'ed copies in this child are not affected).
            ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
            pipes.append(fd == 0 ? (parent: ends[1], child: ends[0]) : (parent: ends[0], child: ends[1]))
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            if let ends = pipes[Int(fd)] {
                posix_spawn_file_actions_adddup2(&actions, ends.child, fd)
            } else if case .descriptor(let source) = stream {
                posix_spawn_file_actions_adddup2(&actions, source, fd)
            } else {
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArguments = argv + [nil]
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, &attributes, &cArguments, environ)
        pipes.compactMap { $0 }.forEach { close($0.child) }
        guard spawned == 0 else {
            pipes.compactMap { $0 }.forEach { close($0.parent) }
            throw SpawnError(executable: executable, errno: spawned)
        }
        self.pid = pid
        stdinPipe = pipes[0]?.parent
        stdoutPipe = pipes[1]?.parent
        stderrPipe = pipes[2]?.parent
    }

    /// The exit status if the child has exited (reaping it), else nil. `128 + n` when killed by signal `n`.
    public func exitStatus() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return Self.decode(status)
    }

    /// Waits for the child to exit, reaps it and returns its status (`128 + n` when killed by signal `n`).
    public func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return Self.decode(status)
    }

    /// Kills the child with SIGKILL and reaps it.
    public func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    private static func decode(_ status: Int32) -> Int32 {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
