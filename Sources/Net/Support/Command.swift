import Foundation

/// A finished child process: exit status and its output.
public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs host tools (`nft`) with `posix_spawn`, a clean signal mask and default signal handlers —
/// like Hypervisor's `ChildProcess`: Foundation's `Process` would let the child inherit a worker
/// thread's blocked signals. Output goes through temporary files, so a large listing cannot fill a
/// pipe and block the child. Lifecycle runs rsync through it too (synced folders).
public enum Command {
    /// Runs `executable` (searched on PATH) to completion with `stdin`; `missingHint` says how to
    /// install it when it cannot start.
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                           missingHint: String = "install it (Debian: apt-get install nftables)") throws -> CommandResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("in"), output = scratch.appendingPathComponent("out"),
            errors = scratch.appendingPathComponent("err")
        try Data((stdin ?? "").utf8).write(to: input)

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
        posix_spawn_file_actions_addopen(&actions, 0, input.path, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArguments = argv + [nil]
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, &attributes, &cArguments, environ)
        guard spawned == 0 else {
            throw NetError("cannot start \(executable): \(String(cString: strerror(spawned)))",
                           hint: missingHint)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return CommandResult(
            status: exit,
            stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}

/// A failure in host networking (nftables, sysctls): what failed and what to do.
public struct NetError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + (hint.map { "\n  hint: \($0)" } ?? "") }
}
