internal import CLibssh
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
    /// can't be opened or the connection breaks; a non-zero exit is not an error. Blocks until the command ends
    /// (no time limit; a dead peer is noticed through TCP keepalive, see ``SSHConfiguration/keepaliveInterval``).
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
            let started = ContinuousClock.now
            defer {
                logger.trace("ssh exec", metadata: [
                    "endpoint": "\(configuration.endpoint)", "elapsed": "\(ContinuousClock.now - started)",
                ])
            }
            var attempts = 0
            while true {
                if let status = try executeOnce(commandLine, stdin, onStdout, onStderr, session, sessionRaw,
                                                retryable: attempts < 3) {
                    return status
                }
                attempts += 1
            }
        }
    }

    /// One channel, one command. Returns nil (nothing ran) when the server closed the fresh channel before
    /// accepting the command and `retryable` allows another try.
    private func executeOnce(
        _ commandLine: String, _ stdin: StdinSource?, _ onStdout: (Data) -> Void, _ onStderr: (Data) -> Void,
        _ session: LibsshSession, _ sessionRaw: ssh_session, retryable: Bool
    ) throws -> ExitStatus? {
        let subject = configuration.subject
        let channel = try SSHChannel.open(session: session, raw: sessionRaw, subject: subject)

        // The sink is in place before the exec request: output of a fast command can arrive with its reply.
        return try channel.withDataSink({ bytes, isStderr in
            guard !bytes.isEmpty else { return }
            let chunk = Data(bytes)
            isStderr ? onStderr(chunk) : onStdout(chunk)
        }) { deliver in
            let requested = channel.withRaw { raw in
                commandLine.withCString { ssh_channel_request_exec(raw, $0) }
            }
            guard requested == SSH_OK else {
                if retryable, channel.withRaw({ ssh_channel_is_closed($0) }) != 0 { return nil }
                throw error(.channelFailed, "\(subject) refused to run a command", session)
            }
            if let stdin {
                let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 16)
                defer { input.deallocate() }
                sending: while true {
                    let count = try stdin(input)
                    if count == 0 { break }
                    var offset = 0
                    while offset < count {
                        // Blocks for window space; libssh processes incoming packets (and our sink) meanwhile.
                        let written = channel.withRaw {
                            ssh_channel_write($0, input.baseAddress?.advanced(by: offset), UInt32(count - offset))
                        }
                        if written > 0 {
                            offset += Int(written)
                        } else if channel.withRaw({ ssh_channel_is_open($0) == 0 || ssh_channel_is_eof($0) != 0 }) {
                            // The command exited without reading all its input: its status tells the story.
                            break sending
                        } else {
                            throw error(.execFailed, "sending input to a command on \(subject) failed", session)
                        }
                    }
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
                // Data the sink did not take would make poll return at once forever: hand it over.
                channel.drainBuffered(deliver)
            }
            channel.drainBuffered(deliver)
            // Output ended, but the command may still run (it closed or redirected stdout and stderr): wait for
            // its status as long as it takes. Each call waits up to the session timeout.
            while true {
                let code = channel.withRaw { ssh_channel_get_exit_status($0) }
                if code >= 0 { return ExitStatus(code: code) }
                if let signal = channel.exitSignal { return .killed(by: signal) }
                if channel.withRaw({ ssh_channel_is_closed($0) }) != 0 { break }
            }
            throw error(.execFailed, "a command on \(subject) ended without an exit status (connection lost?)", session)
        }
    }
}
