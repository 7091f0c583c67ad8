import Foundation

/// A child process started with `posix_spawn`, a clean signal mask and default signal handlers.
///
/// Foundation's `Process` lets the child inherit the spawning thread's blocked signals; inside a
/// thread pool that blocks SIGTERM/SIGALRM, QEMU then ignores SIGTERM and its TCG vCPU never gets
/// kicked (measured: the probe guest stalled mid-POST). QEMU children therefore start through here.
struct ChildProcess {
    let pid: pid_t

    /// Starts `executable` with `arguments`; stdin, stdout and stderr go to /dev/null.
    init(executable: String, arguments: [String]) throws(HypervisorError) {
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
        for fd in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArguments = argv + [nil]
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &cArguments, environ)
        guard result == 0 else {
            throw HypervisorError(.processFailed, "Starting \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// The exit status if the child has exited (reaping it), else nil.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Kills the child with SIGKILL and reaps it.
    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}
