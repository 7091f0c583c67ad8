import Foundation

/// A child process started with posix_spawn and reaped with waitpid.
///
/// The tests avoid Foundation.Process: on Linux its exit monitor did not fire while a libssh session was
/// open in the same process (waitUntilExit hung with the child a zombie).
struct ChildProcess {
    let pid: pid_t

    /// Starts `path` with `arguments`; stdout and stderr go to `outputFile` (or /dev/null), stdin is /dev/null.
    static func spawn(_ path: String, _ arguments: [String], outputFile: String? = nil) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let output = outputFile ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Threads of the test process block signals; a child inherits that mask (and dropbear then never sees
        // SIGTERM). Start children with an empty mask and default dispositions.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw FixtureError("could not start \(path): \(String(cString: strerror(rc)))") }
        return ChildProcess(pid: pid)
    }

    /// Waits for exit; returns the exit code, or 128 + signal.
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Whether the process is still running (reaps it if it has exited).
    func isRunning() -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// SIGTERM, then SIGKILL if the process is still there after 5 s: a full test run once hung for
    /// 12 minutes in `wait()` on a dropbear that never acted on its SIGTERM (a second one ended it).
    func terminate() {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while isRunning() {
            guard Date() < deadline else {
                kill(pid, SIGKILL)
                wait()
                return
            }
            usleep(20_000)
        }
    }
}

/// Runs a tool to completion and returns its combined output; throws with the output when it fails.
@discardableResult
func runTool(_ path: String, _ arguments: [String]) throws -> String {
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-tool-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: outputFile) }
    let status = try ChildProcess.spawn(path, arguments, outputFile: outputFile.path).wait()
    let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    guard status == 0 else {
        throw FixtureError("\(path) \(arguments.joined(separator: " ")) failed (\(status)): \(text)")
    }
    return text
}
