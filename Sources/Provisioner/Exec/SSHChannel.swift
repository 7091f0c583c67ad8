internal import CLibssh
import Foundation

/// Owns one libssh `ssh_channel` (a session channel running one command) and frees it exactly once.
///
/// Lives only inside one locked ``SSHSession`` call; its session outlives it.
final class SSHChannel {
    /// The server confirmed the channel and closed it before a command ran (dropbear does this when the
    /// previous channel's process exits at that moment); opening another channel is safe.
    struct ClosedByPeer: Error {}

    /// Opens a session channel, retrying when the server closes a fresh channel before it was used.
    static func open(session: LibsshSession, raw: ssh_session, subject: String) throws -> SSHChannel {
        var attempt = 0
        while true {
            do {
                return try SSHChannel(session: session, raw: raw, subject: subject)
            } catch is ClosedByPeer where attempt < 3 {
                attempt += 1
                usleep(useconds_t(5_000 * attempt))
            } catch is ClosedByPeer {
                throw SSHError(.channelFailed, "\(subject) closed every new session channel right away; is the "
                               + "server shutting down?", libsshError: session.lastError)
            }
        }
    }

    /// State the C callbacks write into.
    final class Events {
        var exitSignal: String?
        /// Receives channel data as libssh processes each packet: (bytes, is stderr).
        var sink: ((UnsafeRawBufferPointer, Bool) -> Void)?
    }

    private let raw: ssh_channel
    private let callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>
    private let events = Events()

    /// Opens a session channel.
    init(session: LibsshSession, raw sessionRaw: ssh_session, subject: String) throws {
        guard let raw = ssh_channel_new(sessionRaw) else {
            throw SSHError(.channelFailed, "could not create a channel to \(subject)", libsshError: session.lastError)
        }
        self.raw = raw
        callbacks = UnsafeMutablePointer.allocate(capacity: 1)
        callbacks.initialize(to: ssh_channel_callbacks_struct())
        callbacks.pointee.size = MemoryLayout<ssh_channel_callbacks_struct>.size
        callbacks.pointee.userdata = Unmanaged.passUnretained(events).toOpaque()
        callbacks.pointee.channel_exit_signal_function = { _, _, signal, _, _, _, userdata in
            guard let userdata, let signal else { return }
            Unmanaged<Events>.fromOpaque(userdata).takeUnretainedValue().exitSignal = String(cString: signal)
        }
        // Consuming data in the callback (instead of ssh_channel_read) delivers stdout and stderr in arrival
        // order and never leaves data sitting in libssh's buffers while we wait on the socket.
        callbacks.pointee.channel_data_function = { _, _, data, length, isStderr, userdata in
            guard let userdata else { return 0 }
            let events = Unmanaged<Events>.fromOpaque(userdata).takeUnretainedValue()
            guard let sink = events.sink else { return 0 }
            sink(UnsafeRawBufferPointer(start: data, count: Int(length)), isStderr != 0)
            return Int32(clamping: length)
        }
        // From here on deinit frees everything, even if a step below throws.
        guard ssh_set_channel_callbacks(raw, callbacks) == SSH_OK else {
            throw SSHError(.channelFailed, "could not watch a channel to \(subject) for signals",
                           libsshError: session.lastError)
        }
        let opened = ssh_channel_open_session(raw)
        if opened != SSH_OK, ssh_channel_is_closed(raw) != 0 {
            throw ClosedByPeer()
        }
        guard opened == SSH_OK else {
            let text = session.lastError
            let reason = opened == SSH_AGAIN ? "no answer in time" : text.isEmpty ? "libssh error \(opened)" : text
            throw SSHError(.channelFailed, "\(subject) did not open a session channel: \(reason)",
                           libsshError: text)
        }
    }

    deinit {
        // libssh may keep a freed channel until the peer's close arrives; unhook callbacks before releasing them.
        ssh_remove_channel_callbacks(raw, callbacks)
        ssh_channel_free(raw)
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
    }

    func withRaw<T>(_ body: (ssh_channel) throws -> T) rethrows -> T {
        try body(raw)
    }

    var exitSignal: String? { events.exitSignal }

    /// Hands data libssh buffered outside the sink (none in practice) to `onData` without blocking.
    func drainBuffered(_ onData: (UnsafeRawBufferPointer, Bool) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        for isStderr in [false, true] {
            while ssh_channel_poll(raw, isStderr ? 1 : 0) > 0 {
                let n = buffer.withUnsafeMutableBytes {
                    ssh_channel_read_nonblocking(raw, $0.baseAddress, UInt32($0.count), isStderr ? 1 : 0)
                }
                guard n > 0 else { break }
                buffer.withUnsafeBytes { onData(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(n))), isStderr) }
            }
        }
    }

    /// Delivers channel data to `onData` while `body` runs.
    /// `body` gets `onData` back, e.g. for ``drainBuffered(_:)``.
    func withDataSink<T>(
        _ onData: (UnsafeRawBufferPointer, Bool) -> Void,
        _ body: ((UnsafeRawBufferPointer, Bool) -> Void) throws -> T
    ) rethrows -> T {
        try withoutActuallyEscaping(onData) { sink in
            events.sink = sink
            defer { events.sink = nil }
            return try body(sink)
        }
    }
}
