internal import CLibssh
import Foundation

/// A freshly generated key pair, held as text: what vmfile writes into a machine's state directory and
/// installs in the guest's `authorized_keys`.
public struct SSHKeyPair: Sendable {
    /// The private key in OpenSSH format (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted.
    public let privateKeyOpenSSH: String
    /// `ssh-ed25519 AAAA… comment`, one line without a newline, for `authorized_keys`.
    public let publicKeyLine: String
    /// `SHA256:…` of the public key.
    public let fingerprintSHA256: String

    /// Generates an ed25519 key pair with libssh (`ssh_pki_generate`); `comment` ends the public key line.
    public static func generateEd25519(comment: String = "vmfile") throws -> SSHKeyPair {
        var key: ssh_key?
        guard ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) == SSH_OK, let key else {
            throw SSHError(.invalidKey, "libssh could not generate an ed25519 key pair")
        }
        let handle = SSHKeyHandle(adopting: key)
        let privateText = try handle.privateKeyText()
        guard privateText.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----") else {
            throw SSHError(.invalidKey, "libssh exported the ed25519 key in a format other than OpenSSH's")
        }
        let blob = try handle.publicKeyBase64()
        let cleanComment = comment.filter { !$0.isNewline }
        let line = cleanComment.isEmpty ? "ssh-ed25519 \(blob)" : "ssh-ed25519 \(blob) \(cleanComment)"
        return SSHKeyPair(
            privateKeyOpenSSH: privateText, publicKeyLine: line, fingerprintSHA256: try handle.fingerprintSHA256()
        )
    }

    /// The private key as an authentication key; `label` names it in messages.
    public func privateKey(label: String) -> SSHPrivateKey {
        .inMemory(privateKeyOpenSSH, label: label)
    }

    /// Writes the private key to `path` with mode 0600 (created so, never world-readable for a moment),
    /// replacing an existing file. OpenSSH's `ssh -i` accepts the result.
    public func writePrivateKey(to path: String) throws {
        try Self.writeSecret(privateKeyOpenSSH.hasSuffix("\n") ? privateKeyOpenSSH : privateKeyOpenSSH + "\n", to: path)
    }

    /// Writes the public key line plus a newline to `path` (mode 0644).
    public func writePublicKey(to path: String) throws {
        do {
            try Data((publicKeyLine + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SSHError(.localIO, "could not write public key \(path): \(error.localizedDescription)")
        }
    }

    static func writeSecret(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SSHError(.localIO, "could not create \(temporary): \(String(cString: strerror(errno))); check the directory exists and is writable")
        }
        var failure: Int32 = 0
        // open() applies the umask, which can only remove bits; make the mode exact anyway.
        if fchmod(fd, 0o600) != 0 { failure = errno }
        let bytes = Array(text.utf8)
        var written = 0
        while failure == 0, written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
            } else {
                written += n
            }
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw SSHError(.localIO, "could not write private key \(path): \(String(cString: strerror(failure)))")
        }
    }
}
