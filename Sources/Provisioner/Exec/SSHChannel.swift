import CLibssh
import Foundation

/// Owns one libssh `ssh_channel` (a session channel running one command) and frees it exactly once.
///
/// Lives only inside one locked ``SSHSession`` call; its session outlives it.
final class SSHChannel {
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
        guard ssh_channel_open_session(raw) == SSH_OK else {
            let text = session.lastError
            throw SSHError(.channelFailed, "\(subject) refused to open a session channel: \(text)",
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

    /// Delivers channel data to `onData` while `body` runs.
    func withDataSink<T>(_ onData: (UnsafeRawBufferPointer, Bool) -> Void, _ body: () throws -> T) rethrows -> T {
        try withoutActuallyEscaping(onData) { sink in
            events.sink = sink
            defer { events.sink = nil }
            return try body()
        }
    }
}
