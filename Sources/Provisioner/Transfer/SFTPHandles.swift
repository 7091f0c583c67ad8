internal import CLibssh
import Foundation

/// Owns one libssh `sftp_session` (an SFTP subsystem channel) and frees it exactly once.
///
/// Lives only inside one locked ``SSHSession`` call.
final class SFTPSessionHandle {
    private let raw: sftp_session

    /// Opens the SFTP subsystem; `nil` when the server has none (e.g. dropbear without `sftp-server`).
    init?(session: ssh_session) {
        guard let raw = sftp_new(session) else { return nil }
        guard sftp_init(raw) == SSH_OK else {
            sftp_free(raw)
            return nil
        }
        self.raw = raw
    }

    deinit {
        sftp_free(raw)
    }

    func withRaw<T>(_ body: (sftp_session) throws -> T) rethrows -> T {
        try body(raw)
    }

    /// The SFTP status code of the last failed operation, described.
    var lastErrorDescription: String {
        switch sftp_get_error(raw) {
        case SSH_FX_NO_SUCH_FILE, SSH_FX_NO_SUCH_PATH: "no such file or directory"
        case SSH_FX_PERMISSION_DENIED, SSH_FX_WRITE_PROTECT: "permission denied"
        case SSH_FX_FAILURE: "failure (disk full? a directory in the way?)"
        case SSH_FX_CONNECTION_LOST, SSH_FX_NO_CONNECTION: "connection lost"
        case let code: "SFTP error \(code)"
        }
    }
}

/// Owns one open remote file (`sftp_file`) and closes it exactly once.
final class SFTPFileHandle {
    private let raw: sftp_file
    private var isClosed = false

    init?(sftp: SFTPSessionHandle, path: String, flags: Int32, mode: mode_t) {
        guard let raw = sftp.withRaw({ session in path.withCString { sftp_open(session, $0, flags, mode) } }) else {
            return nil
        }
        self.raw = raw
    }

    deinit {
        if !isClosed { sftp_close(raw) }
    }

    func withRaw<T>(_ body: (sftp_file) throws -> T) rethrows -> T {
        try body(raw)
    }

    /// Closes the file, reporting whether the server confirmed it (a failed close can mean lost data).
    func close() -> Bool {
        guard !isClosed else { return true }
        isClosed = true
        return sftp_close(raw) == SSH_OK
    }
}

/// Owns a local file descriptor opened for reading and closes it exactly once.
final class LocalFileReader {
    let fd: Int32
    let path: String

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SSHError(.localIO, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.path = path
    }

    deinit {
        close(fd)
    }

    /// The file's permission bits.
    func mode() throws -> mode_t {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw SSHError(.localIO, "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        return info.st_mode & 0o7777
    }

    /// Reads up to `buffer.count` bytes; 0 at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR {
                throw SSHError(.localIO, "reading \(path) failed: \(String(cString: strerror(errno)))")
            }
        }
    }
}
