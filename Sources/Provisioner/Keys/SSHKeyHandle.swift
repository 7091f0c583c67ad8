internal import CLibssh
import Foundation

/// Owns one libssh `ssh_key` and frees it exactly once.
final class SSHKeyHandle {
    private let key: ssh_key

    init(adopting key: ssh_key) {
        self.key = key
    }

    deinit {
        ssh_key_free(key)
    }

    func withKey<T>(_ body: (ssh_key) throws -> T) rethrows -> T {
        try body(key)
    }

    /// Imports a private key from PEM or OpenSSH text. Unencrypted keys only.
    static func importPrivateKey(text: String, label: String) throws -> SSHKeyHandle {
        var key: ssh_key?
        let rc = text.withCString { ssh_pki_import_privkey_base64($0, nil, nil, nil, &key) }
        guard rc == SSH_OK, let key else {
            throw SSHError(
                .invalidKey,
                "private key \(label) is not a readable unencrypted ed25519/RSA/ECDSA key in OpenSSH or PEM format"
            )
        }
        return SSHKeyHandle(adopting: key)
    }

    /// Imports a private key file. Unencrypted keys only.
    static func importPrivateKey(path: String) throws -> SSHKeyHandle {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SSHError(.invalidKey, "private key file \(path) does not exist or is not readable")
        }
        var key: ssh_key?
        let rc = path.withCString { ssh_pki_import_privkey_file($0, nil, nil, nil, &key) }
        guard rc == SSH_OK, let key else {
            throw SSHError(
                .invalidKey,
                "private key file \(path) is not an unencrypted ed25519/RSA/ECDSA key in OpenSSH or PEM format"
            )
        }
        return SSHKeyHandle(adopting: key)
    }

    /// Imports a public key from its base64 blob (the second field of an OpenSSH public key line).
    static func importPublicKey(algorithm: String, base64: String) throws -> SSHKeyHandle {
        let type = algorithm.withCString { ssh_key_type_from_name($0) }
        var key: ssh_key?
        let rc = base64.withCString { ssh_pki_import_pubkey_base64($0, type, &key) }
        guard type != SSH_KEYTYPE_UNKNOWN, rc == SSH_OK, let key else {
            throw SSHError(.invalidKey, "'\(algorithm) \(base64.prefix(24))…' is not a valid SSH public key")
        }
        return SSHKeyHandle(adopting: key)
    }

    /// The key type name as it appears in OpenSSH public key lines (`ssh-ed25519`, `ssh-rsa`, …).
    var algorithm: String {
        withKey { key in
            ssh_key_type_to_char(ssh_key_type(key)).map { String(cString: $0) } ?? "unknown"
        }
    }

    /// The public key blob, base64 encoded, as in OpenSSH public key lines.
    func publicKeyBase64() throws -> String {
        try withKey { key in
            var b64: UnsafeMutablePointer<CChar>?
            guard ssh_pki_export_pubkey_base64(key, &b64) == SSH_OK, let b64 else {
                throw SSHError(.invalidKey, "could not export a \(algorithm) public key as base64")
            }
            defer { ssh_string_free_char(b64) }
            return String(cString: b64)
        }
    }

    /// `SHA256:<unpadded base64>`, as `ssh-keygen -l` prints it.
    func fingerprintSHA256() throws -> String {
        try withKey { key in
            var hash: UnsafeMutablePointer<UInt8>?
            var length = 0
            guard ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == SSH_OK, let hash else {
                throw SSHError(.invalidKey, "could not hash a \(algorithm) public key")
            }
            defer {
                var owned: UnsafeMutablePointer<UInt8>? = hash
                ssh_clean_pubkey_hash(&owned)
            }
            guard let text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length) else {
                throw SSHError(.invalidKey, "could not format a \(algorithm) key fingerprint")
            }
            defer { ssh_string_free_char(text) }
            return String(cString: text)
        }
    }

    /// The private key as text: OpenSSH format for ed25519, PEM for other types (libssh 0.10's choice).
    func privateKeyText() throws -> String {
        try withKey { key in
            var b64: UnsafeMutablePointer<CChar>?
            guard ssh_pki_export_privkey_base64(key, nil, nil, nil, &b64) == SSH_OK, let b64 else {
                throw SSHError(.invalidKey, "could not export a \(algorithm) private key")
            }
            defer { ssh_string_free_char(b64) }
            return String(cString: b64)
        }
    }
}
