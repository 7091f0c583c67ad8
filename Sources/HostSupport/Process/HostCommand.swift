import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a host program that ran to completion ended, with everything it printed.
public struct HostCommandResult: Sendable, Equatable {
    /// Exit status; `128 + n` when killed by signal `n`.
    public var status: Int32
    public var stdout: Data
    public var stderr: Data

    public init(status: Int32, stdout: Data, stderr: Data) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Stdout as UTF-8 text.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Stderr as UTF-8 text, trimmed: what an error message quotes.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Runs a host program to completion through `ChildProcess`, collecting stdout and stderr through
/// pipes in one `poll` loop, so a child filling one pipe while we wait on the other cannot deadlock.
/// Input is handed over in an unlinked temporary file rather than a pipe: the child may exit without
/// reading it, and a write to a pipe nobody reads would raise SIGPIPE in vmfile.
public enum HostCommand {
    /// Runs `executable` (searched on PATH) with `arguments`; stdin is `stdin`, or /dev/null when nil.
    /// A non-zero exit is returned, not thrown.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws(SpawnError) -> HostCommandResult {
        var input: Int32 = -1
        if let stdin {
            var template = Array((NSTemporaryDirectory() + "/vmfile-stdin-XXXXXX").utf8CString)
            input = template.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress.map { mkstemp($0) } ?? -1
            }
            guard input >= 0 else { throw SpawnError(executable: executable, errno: errno) }
            _ = fcntl(input, F_SETFD, FD_CLOEXEC)
            // Unlinked at once: the child reads the open file, and nothing is left behind if vmfile dies.
            template.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
            var written = 0
            while written < stdin.count {
                let count = stdin.withUnsafeBytes { write(input, $0.baseAddress.map { $0 + written }, $0.count - written) }
                guard count > 0 || errno == EINTR else {
                    let code = errno
                    close(input)
                    throw SpawnError(executable: executable, errno: code)
                }
                written += max(0, count)
            }
            lseek(input, 0, SEEK_SET)
        }
        defer { if input >= 0 { close(input) } }
        let child = try ChildProcess(executable, arguments, stdin: input >= 0 ? .descriptor(input) : .null,
                                     stdout: .pipe, stderr: .pipe)
        let (stdout, stderr) = drain(child.stdoutPipe ?? -1, child.stderrPipe ?? -1)
        return HostCommandResult(status: child.waitForExit(), stdout: stdout, stderr: stderr)
    }

    /// Reads both descriptors until end of file, whichever has data first, then closes them.
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
