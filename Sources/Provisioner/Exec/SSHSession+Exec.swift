import CLibssh
import Foundation

extension SSHSession {
    /// Runs `command` through the login user's shell on a new channel of this connection and streams its output.
    ///
    /// - `environment` is exported in front of the command with exact quoting (servers refuse SSH `env` requests).
    /// - `stdin` is streamed to the command, then end-of-file is sent (always, so `cat` returns).
    /// - `onStdout`/`onStderr` get chunks as they arrive (at most 64 KiB each); nothing is accumulated here,
    ///   so memory stays flat for any output size.
    ///
    /// Returns the exit status, or the signal that killed the command. Throws ``SSHError`` when the channel
    /// can't be opened or the connection breaks; a non-zero exit is not an error. Blocks until the command ends.
    public func execute(
        _ command: String, environment: [String: String] = [:], stdin: Data? = nil,
        onStdout: (Data) -> Void, onStderr: (Data) -> Void
    ) throws -> ExitStatus {
        var input: StdinSource?
        if let stdin {
            var offset = stdin.startIndex
            input = { buffer in
                let count = min(buffer.count, stdin.endIndex - offset)
                stdin.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<(offset + count))
                offset += count
                return count
            }
        }
        return try execute(
            commandLine: ShellQuote.exportPrefix(environment) + command, stdin: input,
            onStdout: onStdout, onStderr: onStderr
        )
    }

    /// Runs `command` and captures its output: for small commands (it holds all output in memory).
    public func run(_ command: String, environment: [String: String] = [:], stdin: Data? = nil) throws -> CommandResult {
        var out = Data()
        var err = Data()
        let status = try execute(
            command, environment: environment, stdin: stdin, onStdout: { out.append($0) }, onStderr: { err.append($0) }
        )
        return CommandResult(status: status, stdout: out, stderr: err)
    }

    /// Fills the buffer with up to `buffer.count` bytes of input; returns 0 at end of input.
    typealias StdinSource = (UnsafeMutableRawBufferPointer) throws -> Int

    /// The exec core: `commandLine` goes to the server as is.
    func execute(
        commandLine: String, stdin: StdinSource?, onStdout: (Data) -> Void, onStderr: (Data) -> Void
    ) throws -> ExitStatus {
        guard !commandLine.utf8.contains(0) else {
            throw SSHError(.invalidArgument, "a command for \(configuration.subject) contains a NUL byte")
        }
        return try withSession { session, sessionRaw in
            let subject = configuration.subject
            let started = ContinuousClock.now
            defer {
                logger.trace("ssh exec", metadata: [
                    "endpoint": "\(configuration.endpoint)", "elapsed": "\(ContinuousClock.now - started)",
                ])
            }
            let channel = try SSHChannel(session: session, raw: sessionRaw, subject: subject)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { buffer.deallocate() }

            let requested = channel.withRaw { raw in
                commandLine.withCString { ssh_channel_request_exec(raw, $0) }
            }
            guard requested == SSH_OK else {
                throw error(.channelFailed, "\(subject) refused to run a command", session)
            }
            let deliver: (UnsafeRawBufferPointer, Bool) -> Void = { bytes, isStderr in
                guard !bytes.isEmpty else { return }
                let chunk = Data(bytes)
                isStderr ? onStderr(chunk) : onStdout(chunk)
            }
            return try channel.withDataSink(deliver) {
                if let stdin {
                    let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 16)
                    defer { input.deallocate() }
                    while true {
                        let count = try stdin(input)
                        if count == 0 { break }
                        // Blocks for window space; libssh processes incoming packets (and our sink) meanwhile.
                        let written = channel.withRaw { ssh_channel_write($0, input.baseAddress, UInt32(count)) }
                        if written == count { continue }
                        // The command may have exited without reading all its input: its status tells the story.
                        if channel.withRaw({ ssh_channel_is_open($0) }) == 0 || written >= 0 { break }
                        throw error(.execFailed, "sending input to a command on \(subject) failed", session)
                    }
                }
                if channel.withRaw({ ssh_channel_is_open($0) }) != 0 {
                    _ = channel.withRaw { ssh_channel_send_eof($0) }
                }
                // Process packets until the command's output ends; data goes to the sink as it arrives.
                while channel.withRaw({ ssh_channel_is_eof($0) == 0 && ssh_channel_is_closed($0) == 0 }) {
                    let rc = channel.withRaw { ssh_channel_poll_timeout($0, 1000, 0) }
                    if rc == SSH_ERROR {
                        throw error(.execFailed, "the connection to \(subject) broke while a command ran", session)
                    }
                }
                let code = channel.withRaw { ssh_channel_get_exit_status($0) }
                if code >= 0 { return ExitStatus(code: code) }
                if let signal = channel.exitSignal { return .killed(by: signal) }
                throw error(.execFailed, "a command on \(subject) ended without an exit status (connection lost?)", session)
            }
        }
    }
}
