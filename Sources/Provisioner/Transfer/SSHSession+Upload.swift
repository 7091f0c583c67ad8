internal import CLibssh
import Foundation

/// How ``SSHSession`` writes files to the server.
public enum TransferMethod: Sendable, Hashable {
    /// SFTP when the server offers it, else ``shell``. The choice is remembered per session.
    case automatic
    /// The SFTP subsystem (OpenSSH; dropbear only with `sftp-server` installed).
    case sftp
    /// `cat > path && chmod mode path` with the data on stdin: works on any server with a POSIX shell.
    case shell
}

extension SSHSession {
    /// Writes `data` to `remotePath` (replacing it) and sets its permission bits to `mode` (a `mode_t`).
    public func upload(data: Data, to remotePath: String, mode: UInt32 = 0o644,
                       method: TransferMethod = .automatic) throws {
        var offset = data.startIndex
        try upload(to: remotePath, mode: mode, method: method, what: "\(data.count) bytes") { buffer in
            let count = min(buffer.count, data.endIndex - offset)
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<(offset + count))
            offset += count
            return count
        }
    }

    /// Streams the local file at `localPath` to `remotePath` (replacing it), in chunks: memory stays flat for
    /// any file size. `mode` defaults to the local file's permission bits.
    public func upload(fileAt localPath: String, to remotePath: String, mode: UInt32? = nil,
                       method: TransferMethod = .automatic) throws {
        let file = try LocalFileReader(path: localPath)
        try upload(to: remotePath, mode: mode ?? file.mode(), method: method, what: localPath) { buffer in
            try file.read(into: buffer)
        }
    }

    private func upload(
        to remotePath: String, mode: mode_t, method: TransferMethod, what: String,
        source: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws {
        guard !remotePath.isEmpty, !remotePath.utf8.contains(0) else {
            throw SSHError(.invalidArgument, "remote path '\(remotePath)' for \(configuration.subject) is empty or has a NUL byte")
        }
        let useSFTP: Bool
        switch method {
        case .sftp: useSFTP = true
        case .shell: useSFTP = false
        case .automatic: useSFTP = try withSession { _, _ in sftpAvailable } ?? true
        }
        if useSFTP {
            let done = try uploadSFTP(to: remotePath, mode: mode, what: what, source: source)
            if done { return }
            if method == .sftp {
                throw SSHError(.transferFailed, "\(configuration.subject) has no SFTP subsystem; install sftp-server "
                               + "in the guest or upload with the shell method", host: configuration.host,
                               port: configuration.port)
            }
        }
        try uploadShell(to: remotePath, mode: mode, what: what, source: source)
    }

    /// Returns false (having read nothing from `source`) when the server has no SFTP subsystem.
    private func uploadSFTP(
        to remotePath: String, mode: mode_t, what: String, source: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> Bool {
        try withSession { session, raw in
            guard let sftp = SFTPSessionHandle(session: raw) else {
                sftpAvailable = false
                logger.debug("no sftp subsystem; uploading through the shell", metadata: ["endpoint": "\(configuration.endpoint)"])
                return false
            }
            sftpAvailable = true
            let subject = configuration.subject
            func failure(_ action: String) -> SSHError {
                SSHError(.transferFailed, "uploading \(what) to \(subject):\(remotePath) failed while \(action): "
                         + sftp.lastErrorDescription, host: configuration.host, port: configuration.port,
                         libsshError: session.lastError)
            }
            guard let file = SFTPFileHandle(sftp: sftp, path: remotePath, flags: O_WRONLY | O_CREAT | O_TRUNC,
                                            mode: mode) else {
                throw failure("opening the remote file (does its directory exist and is it writable?)")
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = try source(buffer)
                if count == 0 { break }
                let written = file.withRaw { sftp_write($0, buffer.baseAddress, count) }
                guard written == count else { throw failure("writing") }
            }
            guard file.close() else { throw failure("closing the remote file") }
            // The server's umask applied at creation; set the exact bits.
            let chmod = sftp.withRaw { handle in remotePath.withCString { sftp_chmod(handle, $0, mode) } }
            guard chmod == SSH_OK else { throw failure("setting mode \(String(mode, radix: 8))") }
            return true
        }
    }

    private func uploadShell(
        to remotePath: String, mode: mode_t, what: String, source: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws {
        let path = ShellQuote.quote(remotePath)
        let command = "cat > \(path) && chmod \(String(mode, radix: 8)) \(path)"
        var errorOutput = Data()
        let status = try withoutActuallyEscaping(source) { source in
            try execute(commandLine: command, stdin: source, onStdout: { _ in }, onStderr: { chunk in
                if errorOutput.count < 4096 { errorOutput.append(chunk.prefix(4096 - errorOutput.count)) }
            })
        }
        guard status.succeeded else {
            let detail = String(decoding: errorOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SSHError(.transferFailed, "uploading \(what) to \(configuration.subject):\(remotePath) through the "
                           + "shell failed (\(status))" + (detail.isEmpty ? "" : ": \(detail)"),
                           host: configuration.host, port: configuration.port)
        }
    }
}
