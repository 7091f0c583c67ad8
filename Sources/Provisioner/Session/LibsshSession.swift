internal import CLibssh
import Foundation

/// Owns one libssh `ssh_session`: disconnects and frees it exactly once.
///
/// Not thread-safe by itself; ``SSHSession`` serializes access.
final class LibsshSession {
    private let raw: ssh_session
    private(set) var isDisconnected = false
    /// A connected socket given to libssh (`SSH_OPTIONS_FD`). libssh never closes a socket it was
    /// given, so this session does, once libssh is done with it.
    private var adoptedSocket: Int32 = -1

    init() throws {
        guard let raw = ssh_new() else {
            throw SSHError(.connectionFailed, "libssh could not allocate a session (out of memory?)")
        }
        self.raw = raw
    }

    deinit {
        if !isDisconnected { ssh_disconnect(raw) }
        ssh_free(raw)
        if adoptedSocket >= 0 { close(adoptedSocket) }
    }

    /// Makes the session run over `socket` (already connected) instead of connecting itself. The session owns
    /// the socket from this call on, also when it throws.
    func adopt(socket: Int32) throws {
        adoptedSocket = socket
        try setOption(SSH_OPTIONS_FD, socket, name: "socket")
    }

    func withRaw<T>(_ body: (ssh_session) throws -> T) rethrows -> T {
        try body(raw)
    }

    /// libssh's error text for the last failed call on this session; call it right after the failure.
    var lastError: String {
        guard let text = ssh_get_error(UnsafeMutableRawPointer(raw)) else { return "" }
        return String(cString: text)
    }

    func disconnect() {
        guard !isDisconnected else { return }
        ssh_disconnect(raw)
        isDisconnected = true
        if adoptedSocket >= 0 { close(adoptedSocket) }
        adoptedSocket = -1
    }

    func setOption(_ option: ssh_options_e, _ value: String, name: String) throws {
        let rc = value.withCString { ssh_options_set(raw, option, $0) }
        guard rc == SSH_OK else {
            throw SSHError(.invalidArgument, "libssh rejected \(name) '\(value)'", libsshError: lastError)
        }
    }

    func setOption<T>(_ option: ssh_options_e, _ value: T, name: String) throws {
        let rc = withUnsafePointer(to: value) { ssh_options_set(raw, option, UnsafeRawPointer($0)) }
        guard rc == SSH_OK else {
            throw SSHError(.invalidArgument, "libssh rejected \(name) \(value)", libsshError: lastError)
        }
    }
}
