import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs helper programs (qemu-img, tar) found on PATH and returns their stdout.
///
/// Spawned with `posix_spawnp` and read through pipes: Foundation's `Process` cost ~80 ms per run
/// here (its run-loop set-up and termination notification), most of what `box add` spent beyond
/// copying the image.
enum Tool {
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], hint: String? = nil) throws -> Data {
        let result: (status: Int32, stdout: Data, stderr: Data)
        do {
            result = try spawnAndCollect(tool, arguments)
        } catch {
            throw BoxError(.io, "cannot run \(tool): \(error)", hint: hint)
        }
        guard result.status == 0 else {
            let message = String(decoding: result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw BoxError(.io, "\(tool) \(arguments.joined(separator: " ")) failed: \(message)", hint: hint)
        }
        return result.stdout
    }

    /// Starts `tool` with stdin from /dev/null, collects stdout and stderr until both close, and reaps it.
    private static func spawnAndCollect(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: Data) {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw POSIXError(errno) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw POSIXError(errno)
        }
        // Close-on-exec, so other children spawned meanwhile don't hold our pipes open (the dup2'ed
        // copies in this child are not affected).
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        let argv = ([tool] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArguments = argv + [nil]
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, tool, &actions, nil, &cArguments, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
        }
        let (stdout, stderr) = drain(outPipe[0], errPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exit, stdout, stderr)
    }

    /// Reads both descriptors until end of file, whichever has data first, then closes them: a
    /// child filling one pipe while we wait on the other cannot deadlock.
    private static func drain(_ first: Int32, _ second: Int32) -> (Data, Data) {
        var outputs = [Data(), Data()]
        var fds = [pollfd(fd: first, events: Int16(POLLIN), revents: 0), pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    outputs[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    close(fds[index].fd)
                    fds[index].fd = -1
                }
            }
        }
        fds.filter { $0.fd >= 0 }.forEach { close($0.fd) }
        return (outputs[0], outputs[1])
    }
}

private extension POSIXError {
    init(_ code: Int32) { self.init(POSIXErrorCode(rawValue: code) ?? .EIO) }
}
